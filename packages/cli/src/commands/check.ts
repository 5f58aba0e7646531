import { resolve } from 'node:path';
import { explainProviderError, type ProviderErrorExplanation } from '@oauth-authorizer/presets';
import type { AccountSettings } from '../account-settings.js';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, parseSeconds, requireAccount } from '../command-line.js';
import { usageError } from '../errors.js';
import { checkMailLogin, type MailLoginResult, readCaFile } from '../mail-login-check.js';
import { mailServersOf } from '../mail-server-spec.js';
import { tokenManagerFor } from '../token-manager-for.js';
import { describeExpiry } from '../token-status.js';
import { worstExitCode } from '../worst-exit-code.js';

/** The `--help` text of `oauth-authorizer check`, with examples. */
export const help = `Usage: oauth-authorizer check <account> [options]

Gets a valid access token (refreshing it when needed), then really logs in to the account's
IMAP, POP3 and SMTP servers with it and logs out again, and reports each: OK, or the server's
reply. The servers come from the preset's mail settings, or from the options. Certificates are
verified (the system's CAs and NODE_EXTRA_CA_CERTS, plus --ca).

Options:
  --imap, --pop3, --smtp <host:port[:tls]>   the server of that protocol (tls: implicit,
                       starttls or none; default: implicit on 993/995/465, else starttls)
  --mechanism <m>      xoauth2 or oauthbearer for POP3 (default: the preset's); imapflow (IMAP)
                       prefers OAUTHBEARER when offered, nodemailer (SMTP) sends XOAUTH2
  --user <address>     the mailbox user (default: the login hint, else the account name)
  --ca <file>          also trust the CA certificates in this PEM file
  --timeout <s>        give up on a server after this many seconds (default 20)
  --json               print {"account","user","results":[{"protocol","host","port","tls",
                       "outcome","detail","server_reply","code"}]}

Examples:
  oauth-authorizer check me@gmail.com
  oauth-authorizer check lab --imap mail.lab.example:143:starttls --smtp mail.lab.example:587 --ca lab-ca.pem

Exit codes: 0 every server took the token, 3 a server (or the provider) rejected it, 4 a server
could not be reached or its certificate is not trusted, 1 anything else.
`;

const TLS_NAMES = { implicit: 'TLS', starttls: 'STARTTLS', none: 'no TLS' } as const;

function lineOf(result: MailLoginResult, explanation: ProviderErrorExplanation | undefined): string {
  const { host, port, tls } = result.server;
  const where = `${result.protocol.toUpperCase()} ${host.includes(':') ? `[${host}]` : host}:${port} (${TLS_NAMES[tls]})`;
  if (result.outcome === 'ok') return `${where}: OK`;
  const why = explanation
    ? `\n  why: ${explanation.explanation} Fix: ${explanation.fix} (see ${explanation.source})`
    : '';
  return `${where}: ${result.outcome === 'rejected' ? 'REJECTED' : result.outcome === 'unreachable' ? 'UNREACHABLE' : 'FAILED'} ${result.detail ?? ''}${why}${result.hint ? `\n  hint: ${result.hint}` : ''}`;
}

/** What the server's reply means and how to fix it (Exchange's 535 5.7.139, Gmail's 534-5.7.9…). */
function explanationOf(
  settings: Pick<AccountSettings, 'presetId' | 'errorsOf'>,
  result: MailLoginResult,
): ProviderErrorExplanation | undefined {
  if (result.outcome === 'ok' || result.serverReply === undefined) return undefined;
  return explainProviderError(
    { id: settings.presetId, errorsOf: settings.errorsOf },
    { serverReply: result.serverReply, message: result.detail ?? '' },
  );
}

/**
 * Logs in to the account's mail servers with its token (`oauth-authorizer check`); resolves with
 * the exit code, throws the errors that `main()` reports (a token that cannot be had).
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'check',
    context.args,
    {
      imap: { type: 'string' },
      pop3: { type: 'string' },
      smtp: { type: 'string' },
      mechanism: { type: 'string' },
      user: { type: 'string' },
      ca: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    { max: 1 },
  );
  const account = requireAccount('check', positionals[0]);
  const mechanism = values.mechanism?.toUpperCase();
  if (mechanism !== undefined && mechanism !== 'XOAUTH2' && mechanism !== 'OAUTHBEARER')
    throw usageError(`check: --mechanism must be xoauth2 or oauthbearer, got "${values.mechanism}"`, 'check');
  const timeout = parseSeconds('check', '--timeout', values.timeout, { min: 1 });
  const ca = values.ca === undefined ? undefined : await readCaFile('check', resolve(context.cwd, values.ca));
  const loaded = await loadAccount(context, account);
  const { settings } = loaded;
  const servers = mailServersOf('check', settings, values, undefined);
  const protocols = (['imap', 'pop3', 'smtp'] as const).filter((protocol) => servers[protocol]);
  if (protocols.length === 0)
    throw usageError(
      "check: the account's preset names no mail servers; give --imap, --pop3 or --smtp host:port",
      'check',
    );

  const manager = tokenManagerFor(context, account, loaded);
  const tokens = await manager.getTokenSet({ signal: context.signal });
  context.output.addSecrets(tokens.accessToken, tokens.refreshToken);
  if (!values.json) context.output.info(`Token: valid, expires ${describeExpiry(tokens.expiresAt)}`);

  const user = values.user ?? settings.loginHint ?? account;
  const results: MailLoginResult[] = [];
  for (const protocol of protocols) {
    const result = await checkMailLogin(
      protocol,
      servers[protocol] as NonNullable<(typeof servers)[typeof protocol]>,
      manager,
      {
        user,
        mechanism: (mechanism ?? settings.mail?.sasl?.toUpperCase() ?? 'XOAUTH2') as
          | 'XOAUTH2'
          | 'OAUTHBEARER',
        ca,
        signal: context.signal,
        ...(timeout !== undefined && { timeout: timeout * 1000 }),
      },
    );
    results.push(result);
    if (!values.json)
      context.output.data(context.output.redact(lineOf(result, explanationOf(settings, result))));
  }
  if (values.json)
    context.output.json({
      account,
      user,
      results: results.map((result) => ({
        protocol: result.protocol,
        host: result.server.host,
        port: result.server.port,
        tls: result.server.tls,
        outcome: result.outcome,
        detail: result.detail === undefined ? null : context.output.redact(result.detail),
        server_reply: result.serverReply ?? null,
        code: result.code ?? null,
        explanation: explanationOf(settings, result) ?? null,
      })),
    });
  return worstExitCode(results.map((result) => result.exitCode));
}
