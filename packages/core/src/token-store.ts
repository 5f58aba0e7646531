import type { TokenSet } from './token-set.js';

/** What a store keeps for one account: its tokens and whatever the caller wants kept beside them. */
export interface StoredAccount {
  /** The account name, e.g. `me@gmail.com` or `work`. */
  account: string;
  /** The current tokens; absent when the account needs authorization. */
  tokens?: TokenSet;
  /**
   * Set when the provider rejected the refresh token: the account must be authorized again. The
   * rejected tokens are kept so nothing is lost, but not used.
   */
  authorizationRequired?: { since: number; reason: string };
  /**
   * The last failed refresh (transient or rejected), set by the token manager and cleared by the
   * next successful one: when (ms since the epoch), the error's `code`, and its message (already
   * free of secrets). For a `status` view of accounts whose refreshes keep failing.
   */
  lastRefreshError?: { at: number; code: string; message: string };
  /** Settings the caller keeps with the account (provider, client id, scopes, …). Never secrets by default. */
  settings?: Record<string, unknown>;
}

/** A held lock; release it exactly once. */
export interface TokenStoreLock {
  release(): Promise<void>;
}

/**
 * Where token sets live. Implementations: the file store (default), the memory store, and the
 * Redis store of `@oauth-authorizer/store-redis`. `set` must be atomic: a crash leaves the old or
 * the new record, never a broken one.
 */
export interface TokenStore {
  /** The account's record, or `undefined` when there is none. Throws `OAUTH_STORE_CORRUPT` for an unreadable one. */
  get(account: string, options?: { signal?: AbortSignal }): Promise<StoredAccount | undefined>;
  /** Writes the account's record atomically and durably. */
  set(record: StoredAccount, options?: { signal?: AbortSignal }): Promise<void>;
  /** Deletes the account's record; no error when there is none. */
  delete(account: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** The names of the stored accounts. */
  list(options?: { signal?: AbortSignal }): Promise<string[]>;
  /**
   * Takes the account's exclusive lock, across processes (and machines, for shared stores), waiting
   * for it up to `timeout` ms. Throws `OAUTH_LOCK_TIMEOUT` when it cannot. A store may make the
   * next write certain here (the file store reserves its disk space): the token manager refreshes
   * under the lock, and a rotated refresh token that cannot be stored is at risk, so such a store
   * throws `OAUTH_STORE_UNAVAILABLE` rather than hand out a lock under which nothing can be written.
   */
  lock(account: string, options?: { timeout?: number; signal?: AbortSignal }): Promise<TokenStoreLock>;
}
