import { AuthorizerError, type TokenSet } from '@oauth-authorizer/core';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, parseSeconds, requireAccount } from '../command-line.js';
import { shellQuote } from '../errors.js';
import {
  EXIT_AUTHORIZATION_REQUIRED,
  EXIT_NETWORK,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeFor,
} from '../exit-codes.js';
import { hintFor } from '../output.js';
import { tokenManagerFor } from '../token-manager-for.js';

/** The `--help` text of `oauth-authorizer token`, with examples. */
export const help = `Usage: oauth-authorizer token <account> [--min-validity <seconds>] [--json]

Prints a valid access token of the account and nothing else on stdout, refreshing it first when
it has less than --min-validity seconds left (capped at half the token's lifetime). This is the
command for mail clients' passwordeval / PassCmd. Concurrent runs refresh only once.

Options:
  --min-validity <s>   seconds the token must still be valid for (default 60)
  --json               print {"access_token","token_type","expires_at","scope"} instead

Examples:
  oauth-authorizer token me@gmail.com
  oauth-authorizer token work --min-validity 300
  curl -H "Authorization: Bearer $(oauth-authorizer token work)" https://graph.microsoft.com/v1.0/me

In ~/.msmtprc:   passwordeval "oauth-authorizer token me@gmail.com"
In ~/.mbsyncrc:  PassCmd "oauth-authorizer token me@gmail.com"

Exit codes: 3 when the account must be authorized (again), 4 on a network or server error.
`;

/** The command that deals with a failure of `token`, by its exit code. */
function commandToRun(error: AuthorizerError, account: string): string {
  const code = exitCodeFor(error);
  if (code === EXIT_AUTHORIZATION_REQUIRED || code === EXIT_USAGE)
    return `oauth-authorizer authorize ${shellQuote(account)}`;
  if (code === EXIT_NETWORK) return `oauth-authorizer refresh ${shellQuote(account)}`;
  return `oauth-authorizer show ${shellQuote(account)} --debug`;
}

/**
 * A failure of `token` — what a mail client's log shows — always says what to run: its hint names
 * the command (authorize again, refresh by hand once the network is back, or show the account),
 * in the one hint line of the report. The error's code, and so the exit code, stay as they are.
 */
function withCommandToRun(error: unknown, account: string): unknown {
  if (!(error instanceof AuthorizerError)) return error;
  const hint = hintFor(error, 'refresh', account);
  if (hint?.includes('oauth-authorizer ')) return error;
  const run = commandToRun(error, account);
  Object.defineProperty(error, 'hint', {
    value: hint ? `${hint}; then: ${run}` : `run: ${run}`,
    configurable: true,
    enumerable: true,
  });
  return error;
}

/**
 * Prints a valid access token, refreshing it first when needed (`oauth-authorizer token`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com', '--min-validity', '300'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'token',
    context.args,
    { 'min-validity': { type: 'string' }, json: { type: 'boolean' } },
    { max: 1 },
  );
  const account = requireAccount('token', positionals[0]);
  const minValidity = parseSeconds('token', '--min-validity', values['min-validity']);
  let tokens: TokenSet;
  try {
    const loaded = await loadAccount(context, account);
    const manager = tokenManagerFor(context, account, loaded, { minValidity });
    tokens = await manager.getTokenSet({
      signal: context.signal,
      ...(minValidity !== undefined && { minValidity }),
    });
  } catch (error) {
    throw withCommandToRun(error, account);
  }
  context.output.addSecrets(tokens.accessToken, tokens.refreshToken);
  if (values.json) {
    context.output.json({
      access_token: tokens.accessToken,
      token_type: tokens.tokenType,
      expires_at: tokens.expiresAt === undefined ? null : new Date(tokens.expiresAt).toISOString(),
      scope: tokens.scope ?? null,
    });
  } else context.output.data(tokens.accessToken);
  return EXIT_OK;
}
