import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { EXIT_OK } from '../exit-codes.js';
import { tokenManagerFor } from '../token-manager-for.js';
import { describeExpiry, isoOrNull } from '../token-status.js';

/** The `--help` text of `oauth-authorizer refresh`, with examples. */
export const help = `Usage: oauth-authorizer refresh <account> [--json]

Refreshes the account's tokens now, whatever their expiry, and stores the new ones (a rotated
refresh token included). Prints the new expiry and scopes, never the tokens (use "token").

Options:
  --json   print {"account","token_type","expires_at","scope"}

Examples:
  oauth-authorizer refresh me@gmail.com
  oauth-authorizer refresh work --json

Exit codes: 3 when the provider rejected the refresh token (authorize again), 4 on a network or
server error (the stored tokens are kept).
`;

/**
 * Refreshes an account's tokens now (`oauth-authorizer refresh`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'refresh',
    context.args,
    { json: { type: 'boolean' } },
    { max: 1 },
  );
  const account = requireAccount('refresh', positionals[0]);
  const loaded = await loadAccount(context, account);
  const manager = tokenManagerFor(context, account, loaded);
  const tokens = await manager.getTokenSet({ forceRefresh: true, signal: context.signal });
  context.output.addSecrets(tokens.accessToken, tokens.refreshToken);
  if (values.json) {
    context.output.json({
      account,
      token_type: tokens.tokenType,
      expires_at: isoOrNull(tokens.expiresAt),
      scope: tokens.scope ?? null,
    });
  } else {
    context.output.data(
      `Refreshed ${account}: the access token expires ${describeExpiry(tokens.expiresAt)}${tokens.scope ? `; scopes: ${tokens.scope}` : ''}`,
    );
  }
  return EXIT_OK;
}
