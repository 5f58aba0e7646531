/**
 * The options and events of {@link TokenManager}, and the checks of its numeric options.
 *
 * @module
 */
import type { AuthorizerError } from '../errors.js';
import type { ProviderConfig } from '../provider.js';
import { checkAccountName } from '../stores/record.js';
import type { TokenManager } from '../token-manager.js';
import type { TokenSet } from '../token-set.js';
import type { TokenStore } from '../token-store.js';

/**
 * The function the manager calls to refresh: {@link refreshTokens}, or a replacement in tests.
 *
 * @example
 * ```ts
 * const refresh: RefreshFunction = async (provider, refreshToken, options) => {
 *   console.error('refreshing');
 *   return refreshTokens(provider, refreshToken, options);
 * };
 * ```
 */
export type RefreshFunction = (
  provider: ProviderConfig,
  refreshToken: string,
  options: { scopes?: string[]; signal?: AbortSignal },
) => Promise<TokenSet>;

/**
 * The function the manager calls for a new token with the client credentials grant:
 * {@link requestClientCredentials}, or a replacement in tests.
 *
 * @example
 * ```ts
 * const clientCredentials: ClientCredentialsFunction = (provider, options) =>
 *   requestClientCredentials(provider, options);
 * ```
 */
export type ClientCredentialsFunction = (
  provider: ProviderConfig,
  options: { scopes?: string[]; signal?: AbortSignal },
) => Promise<TokenSet>;

/**
 * How the manager gets new tokens: `refresh_token` (an account a person authorized; its refresh
 * token is exchanged) or `client_credentials` (app-only access: the client's own credentials
 * get each new token, so no person and no refresh token are involved, RFC 6749 §4.4).
 */
export type TokenManagerGrant = 'refresh_token' | 'client_credentials';

/**
 * How transient refresh failures are retried.
 *
 * @example
 * ```ts
 * new TokenManager({ account, store, provider, retry: { retries: 5, baseDelay: 1000, maxDelay: 30_000 } });
 * ```
 */
export interface RefreshRetryOptions {
  /** Retries after the first attempt. Default: 3 */
  retries?: number;
  /** The first back-off, in ms; it doubles with each retry, and a random half of it is jitter. Default: 500 */
  baseDelay?: number;
  /** The longest back-off, in ms. Default: 10 000 */
  maxDelay?: number;
  /**
   * The longest `Retry-After` honoured, in ms. A server asking for longer ends the retries at once
   * with its transient error (which carries `retryAfter`). Default: 60 000
   */
  maxRetryAfter?: number;
}

/**
 * Options of {@link TokenManager}.
 *
 * @example
 * ```ts
 * const options: TokenManagerOptions = { account: 'me@example.com', store: new MemoryTokenStore(), provider, minValidity: 300 };
 * ```
 */
export interface TokenManagerOptions {
  /** The account whose tokens are managed (the store's key). */
  account: string;
  /** Where the account's tokens are read and written. */
  store: TokenStore;
  /** The provider that refreshes them. */
  provider: ProviderConfig;
  /**
   * Seconds an access token must still be valid for to be handed out without a refresh. For
   * tokens that live less than twice this, half their lifetime is used instead (see
   * {@link TokenManager}). Default: 60
   */
  minValidity?: number;
  /** Retries of transient refresh failures. */
  retry?: RefreshRetryOptions;
  /** How long to wait for the store's lock of the account, in ms. Default: 60 000 */
  lockTimeout?: number;
  /**
   * Scopes to ask for on refresh (fewer than granted); with the client credentials grant, the
   * scopes of each new token. Default: none sent on refresh, i.e. all granted scopes; the
   * provider's `scopes` with client credentials
   */
  scopes?: string[];
  /**
   * How new tokens are obtained. With `client_credentials` the account needs no authorization: a
   * missing account or token is simply requested (and stored), and a rejection is the client's
   * configuration (`OAUTH_ERROR_RESPONSE`, e.g. `invalid_client`), never "authorization required".
   * Default: `refresh_token`
   */
  grant?: TokenManagerGrant;
  /** The refresh call. Default: {@link refreshTokens} */
  refresh?: RefreshFunction;
  /** The client credentials call, for `grant: 'client_credentials'`. Default: {@link requestClientCredentials} */
  clientCredentials?: ClientCredentialsFunction;
}

/**
 * Options of {@link TokenManager.getAccessToken}.
 *
 * @example
 * ```ts
 * await manager.getAccessToken({ forceRefresh: true, signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface GetAccessTokenOptions {
  /** Seconds the token must still be valid for. Default: the manager's `minValidity` */
  minValidity?: number;
  /**
   * Refresh even if the token looks valid, e.g. because a mail server rejected it. Unless another
   * process or caller has replaced the token meanwhile: then that newer token is returned.
   * Default: false
   */
  forceRefresh?: boolean;
  /**
   * Stops this caller's wait (`OAUTH_ABORTED`). A token request already sent is not cancelled: its
   * answer may carry the only copy of a rotated refresh token, so it is still stored.
   */
  signal?: AbortSignal;
}

/**
 * Payload of the `refresh` event: one attempt at the token endpoint.
 *
 * @example
 * ```ts
 * manager.on('refresh', (attempt: RefreshAttempt) => console.error(attempt.ok ? 'refreshed' : attempt.error?.message));
 * ```
 */
export interface RefreshAttempt {
  account: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  durationMs: number;
  ok: boolean;
  /** Why the attempt failed (messages never contain tokens). */
  error?: Error;
}

/**
 * The events of {@link TokenManager}, for `manager.on(name, listener)`.
 *
 * @example
 * ```ts
 * manager.on('tokens', (tokens) => backup.save(tokens));
 * manager.on('authorization-required', (error) => notify(`${error.message}; ${error.hint}`));
 * ```
 */
export interface TokenManagerEvents {
  /** New tokens from a refresh by this manager, emitted after they were stored. */
  tokens: [tokens: TokenSet];
  /** Each attempt at refreshing (or, with client credentials, at getting a token), successful or not. */
  refresh: [attempt: RefreshAttempt];
  /** The account must be authorized again; the same error is thrown to the callers. */
  'authorization-required': [error: AuthorizerError];
}

/** A number of seconds option, else a `TypeError` naming it. */
export function checkSeconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`"${name}" must be a number of seconds >= 0, got ${String(value)}`);
  return value;
}

/** A whole-number option (a count or milliseconds), `fallback` when absent, else a `TypeError` naming it. */
export function checkCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new TypeError(`"${name}" must be an integer >= 0, got ${String(value)}`);
  return value;
}

/**
 * Checks the options that are not numbers (the constructor checks those as it reads them) and
 * gives the grant.
 *
 * @throws {TypeError} when an option is missing or of the wrong type.
 */
export function checkOptions(options: TokenManagerOptions): TokenManagerGrant {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  checkAccountName(options.account);
  const store = options.store as Partial<TokenStore> | undefined;
  if (typeof store?.get !== 'function' || typeof store.set !== 'function' || typeof store.lock !== 'function')
    throw new TypeError('"store" must be a TokenStore');
  if (typeof options.provider !== 'object' || options.provider === null)
    throw new TypeError('"provider" must be a ProviderConfig');
  if (options.refresh !== undefined && typeof options.refresh !== 'function')
    throw new TypeError('"refresh" must be a function');
  if (options.clientCredentials !== undefined && typeof options.clientCredentials !== 'function')
    throw new TypeError('"clientCredentials" must be a function');
  const grant = options.grant ?? 'refresh_token';
  if (grant !== 'refresh_token' && grant !== 'client_credentials')
    throw new TypeError(`"grant" must be "refresh_token" or "client_credentials", got ${String(grant)}`);
  return grant;
}
