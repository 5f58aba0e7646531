import { saslInitialResponse } from '@oauth-authorizer/mail-adapters';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, parseSeconds, requireAccount } from '../command-line.js';
import { usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { tokenManagerFor } from '../token-manager-for.js';

/** The `--help` text of `oauth-authorizer sasl`, with examples. */
export const help = `Usage: oauth-authorizer sasl <account> [--mechanism xoauth2|oauthbearer] [options]

Prints the base64 SASL initial response that carries a valid access token (refreshed first when
needed), for mail clients and scripts that speak SMTP, IMAP or POP3 themselves.

  XOAUTH2:      user=<user>^Aauth=Bearer <token>^A^A
  OAUTHBEARER:  n,a=<user>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A   (RFC 7628)

Options:
  --mechanism <m>      xoauth2 or oauthbearer (default: the preset's, else xoauth2)
  --user <address>     the mailbox user (default: the login hint, else the account name)
  --host <host>        OAUTHBEARER host (default: the preset's IMAP host, if any)
  --port <port>        OAUTHBEARER port (default: the preset's IMAP port, if any)
  --min-validity <s>   seconds the token must still be valid for (default 60)

Examples:
  oauth-authorizer sasl me@gmail.com
  printf 'a AUTHENTICATE XOAUTH2 %s\\r\\n' "$(oauth-authorizer sasl me@gmail.com)"
  oauth-authorizer sasl work --mechanism oauthbearer --host outlook.office365.com --port 993
`;

/**
 * Prints the base64 SASL initial response with a valid token (`oauth-authorizer sasl`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com', '--mechanism', 'oauthbearer'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'sasl',
    context.args,
    {
      mechanism: { type: 'string' },
      user: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'min-validity': { type: 'string' },
    },
    { max: 1 },
  );
  const account = requireAccount('sasl', positionals[0]);
  const given = values.mechanism?.toLowerCase();
  if (given !== undefined && given !== 'xoauth2' && given !== 'oauthbearer')
    throw usageError(`sasl: --mechanism must be xoauth2 or oauthbearer, got "${values.mechanism}"`, 'sasl');
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port))
    throw usageError(`sasl: --port must be a port number, got "${values.port}"`, 'sasl');
  const minValidity = parseSeconds('sasl', '--min-validity', values['min-validity']);
  const loaded = await loadAccount(context, account);
  const { settings } = loaded;
  const mechanism = (given ?? settings.mail?.sasl?.toLowerCase() ?? 'xoauth2') as 'xoauth2' | 'oauthbearer';
  const manager = tokenManagerFor(context, account, loaded, { minValidity });
  const token = await manager.getAccessToken({
    signal: context.signal,
    ...(minValidity !== undefined && { minValidity }),
  });
  context.output.addSecrets(token);
  const user = values.user ?? settings.loginHint ?? account;
  const imap = settings.mail?.imap;
  const host = values.host ?? imap?.host;
  const port =
    values.port !== undefined ? Number(values.port) : values.host === undefined ? imap?.port : undefined;
  let response: string;
  try {
    response = saslInitialResponse(mechanism === 'oauthbearer' ? 'OAUTHBEARER' : 'XOAUTH2', {
      user,
      token,
      ...(mechanism === 'oauthbearer' && host !== undefined && { host }),
      ...(mechanism === 'oauthbearer' && port !== undefined && { port }),
    });
  } catch (error) {
    // A user, host or port that would break the SASL string (a control character could forge
    // fields of its own): the values came from the command line or the account's settings.
    if (error instanceof TypeError) throw usageError(`sasl: ${error.message}`, 'sasl');
    throw error;
  }
  context.output.data(response);
  return EXIT_OK;
}
