import {
  FileTokenStore,
  isAuthorizerError,
  OAUTH_STORE_CORRUPT,
  type StoredAccount,
} from '@oauth-authorizer/core';
import { type AccountSettings, readAccountSettings } from './account-settings.js';
import type { CommandContext } from './command-context.js';
import {
  CLI_KEYRING_ENTRY_MISSING,
  CLI_KEYRING_FAILED,
  CLI_KEYRING_LOCKED,
  CLI_KEYRING_UNAVAILABLE,
  CLI_UNKNOWN_ACCOUNT,
  cliError,
  shellQuote,
} from './errors.js';
import { accountsDirectory } from './home.js';
import { KeyringTokenStore } from './keyring-store.js';
import { osKeyring } from './os-keyring.js';

/**
 * The token store of the CLI's home directory: account files, with the secrets of keyring
 * accounts in the OS keyring (see {@link KeyringTokenStore}).
 *
 * @example
 * ```ts
 * const accounts = await openTokenStore({ home: resolveHome() }).list();
 * ```
 */
export function openTokenStore(context: Pick<CommandContext, 'home' | 'platform'>): KeyringTokenStore {
  return new KeyringTokenStore(new FileTokenStore({ directory: accountsDirectory(context.home) }), () =>
    osKeyring(context.platform),
  );
}

/**
 * The error for an account that is not stored; to `remove` one, there is nothing to authorize first.
 *
 * @example
 * ```ts
 * if (record === undefined) throw unknownAccount('me@example.com');
 * ```
 */
export function unknownAccount(account: string, purpose: 'use' | 'remove' = 'use'): Error {
  if (purpose === 'remove')
    return cliError(
      CLI_UNKNOWN_ACCOUNT,
      `there is no account "${account}": not authorized, so nothing to remove`,
      {
        hint: 'list the accounts with: oauth-authorizer accounts',
      },
    );
  return cliError(CLI_UNKNOWN_ACCOUNT, `there is no account "${account}"`, {
    hint: `authorize it first: oauth-authorizer authorize ${shellQuote(account)} --preset <preset>; list accounts with: oauth-authorizer accounts`,
  });
}

/** A stored account with the CLI's settings. */
export interface LoadedAccount {
  store: KeyringTokenStore;
  record: StoredAccount;
  settings: AccountSettings;
}

/**
 * Reads an account and its settings.
 *
 * @throws {AuthorizerError} `CLI_UNKNOWN_ACCOUNT` (exit code 3), `CLI_ACCOUNT_SETTINGS_INVALID`,
 *   core's `OAUTH_STORE_CORRUPT` / `OAUTH_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const { record, settings } = await loadAccount(context, 'me@example.com');
 * ```
 */
export async function loadAccount(context: CommandContext, account: string): Promise<LoadedAccount> {
  context.output.useAccount(account);
  const store = openTokenStore(context);
  const record = await store.get(account, { signal: context.signal });
  if (record === undefined) throw unknownAccount(account);
  return { store, record, settings: readAccountSettings(record, store.pathOf(account)) };
}

const KEYRING_ERRORS = [
  CLI_KEYRING_UNAVAILABLE,
  CLI_KEYRING_LOCKED,
  CLI_KEYRING_ENTRY_MISSING,
  CLI_KEYRING_FAILED,
];

/**
 * Like {@link loadAccount}'s record read, but a corrupt file counts as no account (a new
 * authorization replaces it), and a keyring account whose keyring cannot be read counts as its
 * file alone: authorizing again (perhaps `--store file`) is how such an account is repaired.
 *
 * @example
 * ```ts
 * const existing = await readRecordForReplacement(context, store, 'me@example.com');
 * ```
 */
export async function readRecordForReplacement(
  context: CommandContext,
  store: KeyringTokenStore,
  account: string,
): Promise<StoredAccount | undefined> {
  context.output.useAccount(account);
  try {
    return await store.get(account, { signal: context.signal });
  } catch (error) {
    if (isAuthorizerError(error) && KEYRING_ERRORS.includes(error.code)) {
      context.output.warn(`${error.message}; authorizing without the secrets kept there`);
      return await store.getWithoutSecrets(account, { signal: context.signal });
    }
    if (!isAuthorizerError(error, OAUTH_STORE_CORRUPT)) throw error;
    context.output.warn(`${error.message}; it will be replaced`);
    return undefined;
  }
}
