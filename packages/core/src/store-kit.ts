/**
 * What a store of your own needs beyond the {@link TokenStore} interface, so that it reads and
 * writes the records core's stores do and refuses the same mistakes: the account-name and record
 * checks and the stored-account format. Its own entry point (`@oauth-authorizer/core/store-kit`),
 * beside `./cached-access-token`: a program that only uses tokens never sees these names.
 * `@oauth-authorizer/store-redis` is built on it.
 *
 * Only pure functions live here (they throw `TypeError`s or the caller's own error): the CommonJS
 * build gives each entry point its own copy of what it bundles, and a second copy of
 * `AuthorizerError` would fail `instanceof`. So `AccountLockQueue`, whose errors are
 * `AuthorizerError`s, stays in the main entry point.
 *
 * @example
 * ```ts
 * import { checkStoredAccount, storedAccountToJSON } from '@oauth-authorizer/core/store-kit';
 *
 * checkStoredAccount(record);
 * await db.put(record.account, JSON.stringify(storedAccountToJSON(record)));
 * ```
 *
 * @module
 */
export { checkAccountName, checkStoredAccount } from './stores/record.js';
export type { StoredAccountJSON } from './stores/stored-account-format.js';
export {
  parseStoredJSON,
  STORED_ACCOUNT_FORMAT_VERSION,
  storedAccountFromJSON,
  storedAccountToJSON,
} from './stores/stored-account-format.js';
