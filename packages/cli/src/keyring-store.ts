import type { FileTokenStore, StoredAccount, TokenStore, TokenStoreLock } from '@oauth-authorizer/core';
import { CLI_KEYRING_ENTRY_MISSING, cliError, shellQuote } from './errors.js';
import type { SecretKeyring } from './os-keyring.js';

/** Where an account's secrets live: its file (the default), or the OS keyring. */
export type AccountStoreKind = 'file' | 'keyring';

/** The store kinds `--store` and `store migrate --to` take. */
export const STORE_KINDS: readonly AccountStoreKind[] = ['file', 'keyring'];

/** What the keyring entry of an account holds, as JSON. */
interface KeyringSecrets {
  v: 1;
  refresh_token?: string;
  client_secret?: string;
}

/**
 * Where a record's secrets live: `settings.store`, which the CLI writes with the account.
 *
 * @example
 * ```ts
 * storeKindOf(record); // 'keyring'
 * ```
 */
export function storeKindOf(record: StoredAccount | undefined): AccountStoreKind {
  return record?.settings?.store === 'keyring' ? 'keyring' : 'file';
}

function entryMissing(account: string): Error {
  return cliError(
    CLI_KEYRING_ENTRY_MISSING,
    `the OS keyring has no secrets for account "${account}" (deleted there, or another keyring)`,
    { hint: `authorize it again: oauth-authorizer authorize ${shellQuote(account)}` },
  );
}

function parseSecrets(account: string, text: string): KeyringSecrets {
  try {
    const value = JSON.parse(text) as Partial<KeyringSecrets> | null;
    if (
      value?.v === 1 &&
      (value.refresh_token === undefined || typeof value.refresh_token === 'string') &&
      (value.client_secret === undefined || typeof value.client_secret === 'string')
    )
      return value as KeyringSecrets;
  } catch {
    // Not ours: reported below without its text, which may be a secret.
  }
  throw cliError(
    CLI_KEYRING_ENTRY_MISSING,
    `the OS keyring entry of account "${account}" was not written by oauth-authorizer`,
    { hint: `authorize it again: oauth-authorizer authorize ${shellQuote(account)}` },
  );
}

/**
 * The CLI's token store: core's {@link FileTokenStore}, where an account whose settings say
 * `store: "keyring"` keeps its refresh token and client secret in the OS keyring (one entry per
 * account, service `oauth-authorizer`) and everything else — the non-secret settings and the
 * short-lived access token — in its file. So `token` with a fresh access token still reads that
 * one file, and the keyring is opened only by commands that read or write a whole record
 * (refresh, authorize, revoke, show, migrate). Accounts without the setting are plain file accounts.
 *
 * `set` writes the keyring before the file: a crash in between leaves the newest refresh token in
 * the keyring beside the previous access token, which works.
 *
 * @example
 * ```ts
 * const store = new KeyringTokenStore(new FileTokenStore({ directory }), () => osKeyring(process.platform));
 * const manager = new TokenManager({ account, store, provider });
 * ```
 */
export class KeyringTokenStore implements TokenStore {
  readonly #file: FileTokenStore;
  readonly #openKeyring: () => SecretKeyring;
  #keyring: SecretKeyring | undefined;
  /** The keyring entry of each account as last read or written here: an unchanged one is not written again. */
  readonly #known = new Map<string, string>();

  /** @param openKeyring Called once, when the first keyring account is read or written. */
  constructor(file: FileTokenStore, openKeyring: () => SecretKeyring) {
    this.#file = file;
    this.#openKeyring = openKeyring;
  }

  /** The account's file (which, for a keyring account, holds everything but its secrets). */
  pathOf(account: string): string {
    return this.#file.pathOf(account);
  }

  /** The OS keyring, opened on first use. */
  get keyring(): SecretKeyring {
    this.#keyring ??= this.#openKeyring();
    return this.#keyring;
  }

  /** The account's record; for a keyring account, with its secrets from the keyring. */
  async get(account: string, options: { signal?: AbortSignal } = {}): Promise<StoredAccount | undefined> {
    const record = await this.#file.get(account, options);
    if (record === undefined || storeKindOf(record) !== 'keyring') return record;
    const text = await this.keyring.read(account);
    if (text === undefined) throw entryMissing(account);
    this.#known.set(account, text);
    const secrets = parseSecrets(account, text);
    const { tokens, settings } = record;
    return {
      ...record,
      ...(tokens && {
        tokens: {
          ...tokens,
          ...(secrets.refresh_token !== undefined && { refreshToken: secrets.refresh_token }),
        },
      }),
      settings: {
        ...settings,
        ...(secrets.client_secret !== undefined && { clientSecretValue: secrets.client_secret }),
      },
    };
  }

  /** The account's file record alone: a keyring account's without its secrets, and without opening the keyring. */
  getWithoutSecrets(
    account: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<StoredAccount | undefined> {
    return this.#file.get(account, options);
  }

  /** Writes the record; a keyring account's secrets go to the keyring, the rest to its file. */
  async set(record: StoredAccount, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (storeKindOf(record) !== 'keyring') return this.#file.set(record, options);
    const { tokens, settings = {} } = record;
    const { clientSecretValue, ...fileSettings } = settings;
    const secrets: KeyringSecrets = {
      v: 1,
      ...(tokens?.refreshToken !== undefined && { refresh_token: tokens.refreshToken }),
      ...(typeof clientSecretValue === 'string' && { client_secret: clientSecretValue }),
    };
    const text = JSON.stringify(secrets);
    // A refresh that failed only notes the error in the file: the keyring is not touched again.
    if (this.#known.get(record.account) !== text) {
      this.#known.delete(record.account);
      await this.keyring.write(record.account, text);
      this.#known.set(record.account, text);
    }
    let fileTokens = tokens;
    if (tokens?.refreshToken !== undefined) {
      const { refreshToken: _inKeyring, ...rest } = tokens;
      fileTokens = rest;
    }
    await this.#file.set(
      { ...record, ...(fileTokens && { tokens: fileTokens }), settings: fileSettings },
      options,
    );
  }

  /** Deletes the account's file and, for a keyring account, its keyring entry. */
  async delete(account: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    let kind: AccountStoreKind = 'file';
    try {
      kind = storeKindOf(await this.#file.get(account, options));
    } catch {
      // A corrupt file is deleted all the same; its keyring entry, if any, stays (it is not known).
    }
    this.#known.delete(account);
    if (kind === 'keyring') await this.keyring.remove(account);
    await this.#file.delete(account, options);
  }

  /** Deletes the account's keyring entry only (after `store migrate --to file`). */
  forgetKeyringSecrets(account: string): Promise<void> {
    this.#known.delete(account);
    return this.keyring.remove(account);
  }

  list(options?: { signal?: AbortSignal }): Promise<string[]> {
    return this.#file.list(options);
  }

  lock(account: string, options?: { timeout?: number; signal?: AbortSignal }): Promise<TokenStoreLock> {
    return this.#file.lock(account, options);
  }
}
