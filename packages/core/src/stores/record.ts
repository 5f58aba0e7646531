import type { StoredAccount } from '../token-store.js';

/**
 * Checks an account name given to a store: a non-empty string without control characters, so that
 * it stays printable in messages and on a command line. Every store applies this rule, then
 * encodes names for its own medium (file names, Redis keys).
 *
 * @param account The name a caller handed to `get()`, `set()`, `delete()` or `lock()`.
 * @throws {TypeError} for anything else.
 * @example
 * ```ts
 * checkAccountName('me@example.com');
 * ```
 */
export function checkAccountName(account: unknown): asserts account is string {
  if (typeof account !== 'string' || account.length === 0)
    throw new TypeError('account name must be a non-empty string');
  if (/[\u0000-\u001f\u007f]/.test(account))
    throw new TypeError('account name must not contain control characters');
}

/**
 * Checks the shape of a record given to `TokenStore.set()`, so that a programming mistake fails at
 * once instead of writing something `get()` cannot read back. Every store calls it first in `set()`.
 *
 * @param record What the caller handed to `set()`.
 * @throws {TypeError} naming the field that is wrong.
 * @example
 * ```ts
 * checkStoredAccount({ account: 'me@example.com', tokens });
 * ```
 */
export function checkStoredAccount(record: unknown): asserts record is StoredAccount {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object');
  const { account, tokens, authorizationRequired, lastRefreshError, settings } = record as Record<
    string,
    unknown
  >;
  checkAccountName(account);
  if (tokens !== undefined) {
    const { accessToken, tokenType, obtainedAt, extra } = (tokens ?? {}) as Record<string, unknown>;
    if (typeof tokens !== 'object' || tokens === null)
      throw new TypeError('record "tokens" must be an object');
    if (typeof accessToken !== 'string' || accessToken === '')
      throw new TypeError('record "tokens.accessToken" must be a non-empty string');
    if (typeof tokenType !== 'string') throw new TypeError('record "tokens.tokenType" must be a string');
    if (typeof obtainedAt !== 'number' || !Number.isFinite(obtainedAt))
      throw new TypeError('record "tokens.obtainedAt" must be a number');
    if (typeof extra !== 'object' || extra === null)
      throw new TypeError('record "tokens.extra" must be an object');
  }
  if (authorizationRequired !== undefined) {
    const { since, reason } = (authorizationRequired ?? {}) as Record<string, unknown>;
    if (typeof since !== 'number' || typeof reason !== 'string')
      throw new TypeError('record "authorizationRequired" must be { since: number, reason: string }');
  }
  if (lastRefreshError !== undefined) {
    const { at, code, message } = (lastRefreshError ?? {}) as Record<string, unknown>;
    if (
      typeof at !== 'number' ||
      !Number.isFinite(at) ||
      typeof code !== 'string' ||
      typeof message !== 'string'
    )
      throw new TypeError('record "lastRefreshError" must be { at: number, code: string, message: string }');
  }
  if (
    settings !== undefined &&
    (typeof settings !== 'object' || settings === null || Array.isArray(settings))
  )
    throw new TypeError('record "settings" must be an object');
}
