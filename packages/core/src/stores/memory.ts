import type { StoredAccount, TokenStore, TokenStoreLock } from '../token-store.js';
import { throwIfAborted } from './abort.js';
import { AccountLockQueue } from './lock-queue.js';
import { checkAccountName, checkStoredAccount } from './record.js';

/**
 * A {@link TokenStore} that keeps records in this process's memory: for tests and short-lived
 * programs that authorize on every start. Records are copied in and out, so a caller changing an
 * object it passed to `set()` or got from `get()` does not change what is stored. The lock is a
 * queue per account and works within this process only.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, TokenManager } from '@oauth-authorizer/core';
 *
 * const store = new MemoryTokenStore();
 * await store.set({ account: 'me@example.com', tokens });
 * const manager = new TokenManager({ account: 'me@example.com', store, provider });
 * const accessToken = await manager.getAccessToken();
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, StoredAccount>();
  readonly #locks = new AccountLockQueue();

  /**
   * Creates a store, optionally pre-filled with `records` (copied).
   *
   * @throws {TypeError} when a record is not a valid {@link StoredAccount}.
   */
  constructor(records: Iterable<StoredAccount> = []) {
    for (const record of records) {
      checkStoredAccount(record);
      this.#records.set(record.account, structuredClone(record));
    }
  }

  /** The account's record (a copy), or `undefined` when there is none. */
  async get(account: string, options: { signal?: AbortSignal } = {}): Promise<StoredAccount | undefined> {
    checkAccountName(account);
    throwIfAborted(options.signal);
    const record = this.#records.get(account);
    return record === undefined ? undefined : structuredClone(record);
  }

  /**
   * Stores a copy of `record`, replacing the account's previous one.
   *
   * @throws {TypeError} when `record` is not a valid {@link StoredAccount}.
   */
  async set(record: StoredAccount, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkStoredAccount(record);
    throwIfAborted(options.signal);
    this.#records.set(record.account, structuredClone(record));
  }

  /** Forgets the account; no error when there is none. */
  async delete(account: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkAccountName(account);
    throwIfAborted(options.signal);
    this.#records.delete(account);
  }

  /** The stored account names, sorted. */
  async list(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    throwIfAborted(options.signal);
    return [...this.#records.keys()].sort();
  }

  /**
   * Takes the account's lock, waiting behind earlier holders in arrival order.
   *
   * @param options.timeout How long to wait, in ms. Default: 30 000
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` after `timeout`, `OAUTH_ABORTED` when `signal` aborts.
   */
  lock(account: string, options: { timeout?: number; signal?: AbortSignal } = {}): Promise<TokenStoreLock> {
    checkAccountName(account);
    return this.#locks.acquire(account, options);
  }
}
