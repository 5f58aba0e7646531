import { openTokenStore, unknownAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { EXIT_OK } from '../exit-codes.js';

/** The `--help` text of `oauth-authorizer remove`, with examples. */
export const help = `Usage: oauth-authorizer remove <account>

Deletes the account: its tokens and settings. The tokens are not revoked at the provider; run
"oauth-authorizer revoke <account>" first for that.

Examples:
  oauth-authorizer revoke old@example.com && oauth-authorizer remove old@example.com

Exit codes: 3 when there is no such account.
`;

/**
 * Deletes an account (`oauth-authorizer remove`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['old@example.com'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { positionals } = parseCommandLine('remove', context.args, {}, { max: 1 });
  const account = requireAccount('remove', positionals[0]);
  const store = openTokenStore(context);
  // Under the lock, so that a concurrent refresh cannot write the account back after it is gone.
  const lock = await store.lock(account, { signal: context.signal });
  try {
    const names = await store.list({ signal: context.signal });
    if (!names.includes(account)) throw unknownAccount(account, 'remove');
    await store.delete(account, { signal: context.signal });
  } finally {
    await lock.release();
  }
  context.output.info(`Removed account ${account}.`);
  return EXIT_OK;
}
