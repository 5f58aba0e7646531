import { openTokenStore, unknownAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { type AccountStoreKind, STORE_KINDS, storeKindOf } from '../keyring-store.js';

/** The `--help` text of `oauth-authorizer store`, with examples. */
export const help = `Usage: oauth-authorizer store migrate <account> --to <file|keyring>

Moves an account's refresh token and stored client secret between its file and the OS keyring
(Secret Service on Linux, Keychain on macOS, Credential Manager on Windows). Its access token and
settings stay in the file either way, so "token" keeps answering from the file.

Options:
  --to <file|keyring>   where the secrets go

Examples:
  oauth-authorizer store migrate me@gmail.com --to keyring
  oauth-authorizer store migrate work --to file      # e.g. before moving to a headless server

Exit codes: 2 no keyring here (no D-Bus session with Secret Service), 3 no such account.
`;

/**
 * Moves an account's secrets between its file and the OS keyring (`oauth-authorizer store
 * migrate`), under the account's lock; resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['migrate', 'me@gmail.com', '--to', 'keyring'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'store',
    context.args,
    { to: { type: 'string' } },
    { max: 2 },
  );
  if (positionals[0] !== 'migrate')
    throw usageError(
      positionals[0] === undefined
        ? 'store: give a subcommand: migrate'
        : `store: unknown subcommand "${positionals[0]}" (there is: migrate)`,
      'store',
    );
  const account = requireAccount('store migrate', positionals[1]);
  const to = values.to;
  if (to === undefined || !(STORE_KINDS as readonly string[]).includes(to))
    throw usageError('store migrate: --to must be file or keyring', 'store');
  const target = to as AccountStoreKind;
  // Read under the lock: a refresh in between would rotate the refresh token being moved.
  const store = openTokenStore(context);
  const lock = await store.lock(account, { signal: context.signal });
  try {
    const record = await store.get(account, { signal: context.signal });
    if (record === undefined) throw unknownAccount(account);
    const from = storeKindOf(record);
    if (from === target) {
      context.output.info(
        `Account ${account} is already in the ${target === 'keyring' ? 'OS keyring' : 'file'}.`,
      );
      return EXIT_OK;
    }
    const { store: _kind, ...settings } = record.settings ?? {};
    await store.set(
      { ...record, settings: target === 'keyring' ? { ...settings, store: 'keyring' } : settings },
      { signal: context.signal },
    );
    // Only once the file holds everything: a failure here leaves a stale copy in the keyring, never a lost token.
    if (target === 'file')
      await store.forgetKeyringSecrets(account).catch((error: unknown) => {
        context.output.warn(`a copy of the secrets stays in the OS keyring: ${(error as Error).message}`);
      });
  } finally {
    await lock.release();
  }
  context.output.info(
    target === 'keyring'
      ? `Moved the secrets of ${account} to the OS keyring; its file keeps the access token and settings.`
      : `Moved the secrets of ${account} from the OS keyring to its file.`,
  );
  return EXIT_OK;
}
