import { revokeToken } from '@oauth-authorizer/core';
import { providerOf } from '../account-settings.js';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { shellQuote } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';

/** The `--help` text of `oauth-authorizer revoke`, with examples. */
export const help = `Usage: oauth-authorizer revoke <account> [--json]

Revokes the account's refresh token and access token at the provider (RFC 7009), then forgets
them. The account's settings stay, so "oauth-authorizer authorize <account>" authorizes it again
in one short command; "oauth-authorizer remove <account>" deletes it altogether.

When the provider has no revocation endpoint, the tokens are only forgotten here (they stay valid
at the provider until they expire) and a warning says so. When the provider cannot be reached,
nothing is forgotten and the exit code is 4: run the command again later.

Options:
  --json   print {"account","revoked","forgotten"}

Examples:
  oauth-authorizer revoke me@gmail.com
  oauth-authorizer revoke work --json
`;

/**
 * Revokes an account's tokens at the provider and forgets them (`oauth-authorizer revoke`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'revoke',
    context.args,
    { json: { type: 'boolean' } },
    { max: 1 },
  );
  const account = requireAccount('revoke', positionals[0]);
  const { store, record, settings } = await loadAccount(context, account);
  const { output } = context;
  const revoked: string[] = [];
  const tokens = record.tokens;
  if (tokens === undefined) {
    output.info(`Account ${account} has no tokens to revoke.`);
  } else {
    output.addSecrets(tokens.accessToken, tokens.refreshToken);
    const provider = providerOf(account, settings, context.env);
    output.addSecrets(provider.clientSecret);
    if (!provider.revocationUrl) {
      output.warn(
        `the provider of ${account} has no revocation endpoint: the tokens are forgotten here, but stay valid at the provider until they expire`,
      );
    } else {
      // The refresh token first: revoking it ends the whole grant at most providers (RFC 7009 §2.1).
      if (tokens.refreshToken) {
        await revokeToken(provider, tokens.refreshToken, {
          tokenTypeHint: 'refresh_token',
          signal: context.signal,
        });
        revoked.push('refresh_token');
      }
      try {
        await revokeToken(provider, tokens.accessToken, {
          tokenTypeHint: 'access_token',
          signal: context.signal,
        });
        revoked.push('access_token');
      } catch (error) {
        // With the refresh token already revoked, keeping the access token locally would help
        // nobody; it expires on its own.
        if (revoked.length === 0) throw error;
        output.warn(
          `the access token could not be revoked (${(error as Error).message}); it stays valid until it expires`,
        );
      }
    }
    const lock = await store.lock(account, { signal: context.signal });
    try {
      const current = (await store.get(account)) ?? record;
      await store.set({ account, ...(current.settings && { settings: current.settings }) });
    } finally {
      await lock.release();
    }
  }
  if (values.json) output.json({ account, revoked, forgotten: tokens !== undefined });
  else if (tokens !== undefined) {
    output.info(
      `${revoked.length > 0 ? 'Revoked the tokens of' : 'Forgot the tokens of'} ${account}${revoked.length > 0 ? ' and forgot them' : ''}. Authorize it again with: oauth-authorizer authorize ${shellQuote(account)}`,
    );
  }
  return EXIT_OK;
}
