import { EventEmitter } from 'node:events';
import { abortError, sleep } from './abort.js';
import {
  AuthorizerError,
  OAUTH_ABORTED,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAuthResponseError,
} from './errors.js';
import { requestClientCredentials } from './flows/client-credentials.js';
import { refreshTokens } from './flows/refresh.js';
import { refreshTokenOfRefusedResponse } from './flows/token-request.js';
import type { ProviderConfig } from './provider.js';
import { checkAccountName } from './stores/record.js';
import { boundedTokenSet, freshUntil, type TokenSet } from './token-set.js';
import type { StoredAccount, TokenStore } from './token-store.js';

/** What a caller of the manager does, for the abort message. */
const WAITING = 'waiting for an access token';

/**
 * The hint of `OAUTH_AUTHORIZATION_REQUIRED`. It names no command: a service using the manager may
 * have no CLI, and a program that has one (ours) adds its command where it prints.
 */
const AUTHORIZE_AGAIN_HINT = 'authorize the account again';

/**
 * OAuth error codes at the token endpoint that mean the grant behind the refresh token is gone,
 * so only a new authorization helps: `invalid_grant` (expired, revoked, or an already rotated
 * refresh token, RFC 6749 §5.2) and the OpenID Connect answers that demand the user
 * (`interaction_required`, `login_required`, `consent_required`, e.g. a new MFA or consent policy).
 * Deliberately not here: `invalid_client` and `unauthorized_client` (the client's configuration —
 * a wrong or expired secret, a grant type not allowed — which a new authorization with the same
 * client does not fix, and which must not flag healthy tokens), `invalid_scope`, `invalid_request`.
 */
const GRANT_GONE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
]);

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

interface FlightRequest {
  force: boolean;
  /** The access token the forcing caller saw (and wants replaced). */
  seen: string | undefined;
  minValidity: number;
}

/** One shared refresh (or store read) and the callers waiting for it. */
interface Flight {
  promise: Promise<TokenSet>;
  controller: AbortController;
  waiting: number;
  /** A caller without a signal waits: the flight must not be aborted. */
  pinned: boolean;
}

interface UnsavedTokens {
  tokens: TokenSet;
  /** The refresh token they replaced: they are stored only if the store still holds it. */
  replaces: string;
}

/** Freezes what the manager hands out and stores, with every instant one the store can write. */
function freeze(tokens: TokenSet): TokenSet {
  const bounded = boundedTokenSet(tokens);
  Object.freeze(bounded.extra);
  return Object.freeze(bounded);
}

/** The `lastRefreshError` note of a failed refresh; core's messages carry no secrets. */
function refreshErrorNote(
  error: AuthorizerError,
  at: number,
): NonNullable<StoredAccount['lastRefreshError']> {
  return { at, code: error.code, message: error.message.slice(0, 500) };
}

function checkSeconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`"${name}" must be a number of seconds >= 0, got ${String(value)}`);
  return value;
}

function checkCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new TypeError(`"${name}" must be an integer >= 0, got ${String(value)}`);
  return value;
}

/**
 * Hands out access tokens for one account and keeps them fresh: the cached token while it is
 * valid for more than `minValidity` seconds, else one refresh, which any number of concurrent
 * callers share. With a store whose lock works across processes (the file store), concurrent
 * processes share one refresh too: the refresher takes the lock and re-reads the store, so a
 * process that waited finds the new tokens and does not refresh again. A rotated refresh token is
 * stored before the new access token is handed out, and is never sent twice.
 *
 * Freshness margin: `min(minValidity, lifetime / 2)`, where `lifetime` = `expiresAt − obtainedAt`.
 * A token that lives 1 hour is refreshed when less than 60 s are left; one that lives 4 s, when
 * less than 2 s are left. A token without an expiry is fresh until a refresh is forced.
 *
 * Failures: the provider rejecting the refresh token (`invalid_grant`, and `interaction_required`,
 * `login_required`, `consent_required`) marks the account in the store as needing authorization —
 * keeping its tokens — and throws `OAUTH_AUTHORIZATION_REQUIRED`, as do a missing account, a
 * missing refresh token, and an account already marked (without asking the server again).
 * Transient failures (timeouts, resets, 5xx, 429) are retried with exponential back-off and
 * jitter, honouring `Retry-After`; then their error is thrown with its code unchanged. Stored
 * tokens are never discarded.
 *
 * With `grant: 'client_credentials'` (app-only access, e.g. a Microsoft 365 mailbox a service
 * sends from), each new token comes from the client's own credentials instead of a refresh token:
 * the same single-flight, cross-process lock and store, and an account that is not in the store
 * yet gets its first token on the first call.
 *
 * @example
 * ```ts
 * import { FileTokenStore, TokenManager } from '@oauth-authorizer/core';
 *
 * const manager = new TokenManager({
 *   account: 'me@example.com',
 *   store: new FileTokenStore({ directory: '/home/me/.config/oauth-authorizer/accounts' }),
 *   provider: { tokenUrl: 'https://oauth2.googleapis.com/token', clientId: '…', clientSecret: '…' },
 * });
 * manager.on('refresh', ({ attempt, ok, durationMs }) => console.error(`refresh #${attempt}: ${ok} in ${durationMs} ms`));
 * const accessToken = await manager.getAccessToken();
 * // A mail server rejected it: get another one, refreshed unless someone already did.
 * const retried = await manager.getAccessToken({ forceRefresh: true });
 * ```
 */
export class TokenManager extends EventEmitter<TokenManagerEvents> {
  /** The account whose tokens are managed. */
  readonly account: string;
  /** The store the tokens live in. */
  readonly store: TokenStore;
  /** The provider that refreshes them. */
  readonly provider: ProviderConfig;
  readonly #minValidity: number;
  readonly #retries: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #maxRetryAfter: number;
  readonly #lockTimeout: number;
  readonly #scopes: string[] | undefined;
  readonly #grant: TokenManagerGrant;
  readonly #refresh: RefreshFunction;
  readonly #clientCredentials: ClientCredentialsFunction;

  #tokens: TokenSet | undefined;
  // The fast path's whole test: before this instant, `#tokens` is fresh for the default minValidity.
  #freshUntil = Number.NEGATIVE_INFINITY;
  #flight: Flight | undefined;
  #unsaved: UnsavedTokens | undefined;

  /** @throws {TypeError} when an option is missing or of the wrong type. */
  constructor(options: TokenManagerOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    checkAccountName(options.account);
    const store = options.store as Partial<TokenStore> | undefined;
    if (
      typeof store?.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.lock !== 'function'
    )
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
    this.account = options.account;
    this.store = options.store;
    this.provider = options.provider;
    this.#minValidity = checkSeconds('minValidity', options.minValidity ?? 60);
    const retry = options.retry ?? {};
    this.#retries = checkCount('retry.retries', retry.retries, 3);
    this.#baseDelay = checkCount('retry.baseDelay', retry.baseDelay, 500);
    this.#maxDelay = checkCount('retry.maxDelay', retry.maxDelay, 10_000);
    this.#maxRetryAfter = checkCount('retry.maxRetryAfter', retry.maxRetryAfter, 60_000);
    this.#lockTimeout = checkCount('lockTimeout', options.lockTimeout, 60_000);
    this.#scopes = options.scopes;
    this.#grant = grant;
    this.#refresh = options.refresh ?? refreshTokens;
    this.#clientCredentials = options.clientCredentials ?? requestClientCredentials;
  }

  /**
   * A valid access token: the cached one while it is fresh (no I/O, no allocation beyond the
   * promise), else the store's when another process refreshed, else a new one from a refresh
   * shared with every concurrent caller.
   *
   * @throws {AuthorizerError} `OAUTH_AUTHORIZATION_REQUIRED` (with the hint "authorize the account
   *   again", which names no command: a program prints its own); the transient code of the last failed attempt (`OAUTH_TIMEOUT`,
   *   `OAUTH_NETWORK_ERROR`, `OAUTH_HTTP_ERROR`, `OAUTH_ERROR_RESPONSE`); `OAUTH_LOCK_TIMEOUT`;
   *   `OAUTH_ABORTED`; the store's `OAUTH_STORE_CORRUPT` / `OAUTH_STORE_UNAVAILABLE`.
   * @example
   * ```ts
   * const token = await manager.getAccessToken({ minValidity: 300 });
   * ```
   */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string> {
    if (this.#cachedIsEnough(options)) return Promise.resolve((this.#tokens as TokenSet).accessToken);
    return this.#getTokenSet(options ?? {}).then((tokens) => tokens.accessToken);
  }

  /**
   * Like {@link TokenManager.getAccessToken}, but the whole token set (frozen: do not change it).
   *
   * @example
   * ```ts
   * const { accessToken, expiresAt, scope } = await manager.getTokenSet();
   * ```
   */
  getTokenSet(options?: GetAccessTokenOptions): Promise<TokenSet> {
    if (this.#cachedIsEnough(options)) return Promise.resolve(this.#tokens as TokenSet);
    return this.#getTokenSet(options ?? {});
  }

  /** The fast path's whole test: the cached tokens are fresh and the caller asks for nothing special. */
  #cachedIsEnough(options: GetAccessTokenOptions | undefined): boolean {
    return (
      Date.now() < this.#freshUntil &&
      (options === undefined ||
        (options.minValidity === undefined &&
          options.forceRefresh !== true &&
          options.signal?.aborted !== true))
    );
  }

  async #getTokenSet(options: GetAccessTokenOptions): Promise<TokenSet> {
    const minValidity =
      options.minValidity === undefined
        ? this.#minValidity
        : checkSeconds('minValidity', options.minValidity);
    const force = options.forceRefresh === true;
    const signal = options.signal;
    if (signal?.aborted) throw abortError(signal, WAITING);
    const seen = force ? this.#tokens?.accessToken : undefined;
    const satisfied = (tokens: TokenSet): boolean =>
      force
        ? seen === undefined || tokens.accessToken !== seen
        : Date.now() < freshUntil(tokens, minValidity);
    if (!force && this.#tokens !== undefined && satisfied(this.#tokens)) return this.#tokens;
    // A flight already under way may give what this caller needs (it usually does): wait for it
    // rather than start a second one. Only if it does not, start one with this caller's needs.
    const running = this.#flight;
    if (running !== undefined) {
      const tokens = await this.#join(running, signal);
      if (satisfied(tokens)) return tokens;
    }
    const flight = this.#flight ?? this.#startFlight({ force, seen, minValidity });
    return this.#join(flight, signal);
  }

  #startFlight(request: FlightRequest): Flight {
    const controller = new AbortController();
    const flight: Flight = { controller, waiting: 0, pinned: false, promise: undefined as never };
    flight.promise = this.#fly(request, controller.signal).finally(() => {
      if (this.#flight === flight) this.#flight = undefined;
    });
    // Every waiter may have given up (aborted): the outcome then has no one to go to.
    flight.promise.catch(() => undefined);
    this.#flight = flight;
    return flight;
  }

  #join(flight: Flight, signal: AbortSignal | undefined): Promise<TokenSet> {
    if (signal === undefined) {
      flight.pinned = true;
      return flight.promise;
    }
    if (signal.aborted) return Promise.reject(abortError(signal, WAITING));
    flight.waiting += 1;
    return new Promise<TokenSet>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        flight.waiting -= 1;
      };
      const onAbort = () => {
        leave();
        // The last waiter gone: stop waiting for the lock or a back-off, nobody needs the result.
        if (flight.waiting === 0 && !flight.pinned) {
          if (this.#flight === flight) this.#flight = undefined;
          flight.controller.abort(signal.reason);
        }
        reject(abortError(signal, WAITING));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (tokens) => {
          leave();
          resolve(tokens);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }

  async #fly(request: FlightRequest, signal: AbortSignal): Promise<TokenSet> {
    let { seen } = request;
    const { force, minValidity } = request;
    try {
      // Read without the lock first: another process may have refreshed, and the hot path of a
      // fresh process (`oauth-authorizer token`) must not take a lock just to read a valid token.
      if (this.#unsaved === undefined) {
        // `undefined` only with client credentials and no token yet: the first one is got under the lock.
        const tokens = this.#usableTokens(await this.store.get(this.account, { signal }));
        if (tokens !== undefined && force) {
          if (seen !== undefined && tokens.accessToken !== seen) return this.#adopt(tokens);
          seen ??= tokens.accessToken;
        } else if (tokens !== undefined && Date.now() < freshUntil(tokens, minValidity)) {
          return this.#adopt(tokens);
        }
      }
      const lock = await this.store.lock(this.account, { timeout: this.#lockTimeout, signal });
      try {
        let record = await this.store.get(this.account, { signal });
        record = await this.#storeUnsaved(record);
        const tokens = this.#usableTokens(record);
        // Another process may have refreshed while we waited for the lock.
        if (
          tokens !== undefined &&
          (force ? tokens.accessToken !== seen : Date.now() < freshUntil(tokens, minValidity))
        )
          return this.#adopt(tokens);
        if (tokens === undefined || this.#grant === 'client_credentials')
          return await this.#requestAndStore(record, signal);
        return await this.#refreshAndStore(record as StoredAccount, tokens, signal);
      } finally {
        // The tokens are stored (or the error is known): a failed release must not turn that into
        // a failure. A lock left behind is taken over as stale once this process stops touching it.
        await lock.release().catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof AuthorizerError && error.code === OAUTH_AUTHORIZATION_REQUIRED) {
        this.#tokens = undefined;
        this.#freshUntil = Number.NEGATIVE_INFINITY;
        this.#emit('authorization-required', error);
      }
      throw error;
    }
  }

  /**
   * The record's tokens when they can be used or refreshed; else why not, as the error to throw.
   * With client credentials every record will do: `undefined` when it has no tokens yet.
   */
  #usableTokens(record: StoredAccount | undefined): TokenSet | undefined {
    if (this.#grant === 'client_credentials') return record?.tokens;
    if (record?.tokens === undefined)
      throw this.#authorizationRequired(record === undefined ? 'is not authorized yet' : 'has no tokens');
    if (record.authorizationRequired) {
      const { since, reason } = record.authorizationRequired;
      throw this.#authorizationRequired(
        `needs authorization since ${new Date(since).toISOString()} (${reason})`,
      );
    }
    return record.tokens;
  }

  /** Client credentials: a new token for the account (creating its record if there is none), stored. */
  async #requestAndStore(record: StoredAccount | undefined, signal: AbortSignal): Promise<TokenSet> {
    const options = this.#scopes ? { scopes: this.#scopes } : {};
    let tokens: TokenSet;
    try {
      tokens = freeze(await this.#withRetry(() => this.#clientCredentials(this.provider, options), signal));
    } catch (error) {
      if (record !== undefined) await this.#noteRefreshError(record, error);
      throw error;
    }
    const {
      authorizationRequired: _cleared,
      lastRefreshError: _fixed,
      ...rest
    } = record ?? { account: this.account };
    await this.#storeRotated({ ...rest, tokens });
    this.#emit('tokens', tokens);
    return this.#adopt(tokens);
  }

  async #refreshAndStore(record: StoredAccount, current: TokenSet, signal: AbortSignal): Promise<TokenSet> {
    const refreshToken = current.refreshToken;
    if (!refreshToken)
      throw this.#authorizationRequired('has no refresh token, and its access token must be replaced');
    let refreshed: TokenSet;
    try {
      // The request gets no signal: aborting it after the server rotated the refresh token would
      // lose the new one. The HTTP timeout bounds it; waiters can stop waiting with their signal.
      const options = this.#scopes ? { scopes: this.#scopes } : {};
      refreshed = await this.#withRetry(() => this.#refresh(this.provider, refreshToken, options), signal);
    } catch (error) {
      if (error instanceof OAuthResponseError && !error.transient && GRANT_GONE_ERRORS.has(error.error))
        throw await this.#markAuthorizationRequired(record, error);
      const rotated = refreshTokenOfRefusedResponse(error);
      if (rotated !== undefined && rotated !== refreshToken) {
        await this.#keepRefusedRotation(record, current, refreshToken, rotated, error);
      } else await this.#noteRefreshError(record, error);
      throw error;
    }
    // A refresh token the server did not send (or an injected function copied) is the old one:
    // it keeps the time it was obtained.
    const rotated = refreshed.refreshToken !== undefined && refreshed.refreshToken !== refreshToken;
    const sentAgain =
      refreshed.refreshToken === refreshToken && refreshed.refreshTokenObtainedAt !== undefined;
    const refreshTokenObtainedAt =
      rotated || sentAgain
        ? (refreshed.refreshTokenObtainedAt ?? refreshed.obtainedAt)
        : current.refreshTokenObtainedAt;
    const tokens = freeze({
      ...refreshed,
      // The server may leave out what did not change (RFC 6749 §6: the refresh token, §5.1: the
      // scope); an injected refresh function may not keep the old refresh token as core's does.
      refreshToken: refreshed.refreshToken || refreshToken,
      ...(refreshTokenObtainedAt !== undefined && { refreshTokenObtainedAt }),
      ...(refreshed.refreshToken === undefined &&
        current.refreshTokenExpiresAt !== undefined &&
        refreshed.refreshTokenExpiresAt === undefined && {
          refreshTokenExpiresAt: current.refreshTokenExpiresAt,
        }),
      ...(refreshed.scope === undefined && current.scope !== undefined && { scope: current.scope }),
      ...(refreshed.idToken === undefined && current.idToken !== undefined && { idToken: current.idToken }),
    });
    const { authorizationRequired: _cleared, lastRefreshError: _fixed, ...rest } = record;
    try {
      await this.#storeRotated({ ...rest, tokens });
    } catch (error) {
      // The server has rotated the refresh token: the new one exists only here now. Keep it and
      // write it under the lock on the next call; hand out nothing that is not stored.
      this.#unsaved = { tokens, replaces: refreshToken };
      throw error;
    }
    this.#emit('tokens', tokens);
    return this.#adopt(tokens);
  }

  /**
   * The server rotated the refresh token in a response that was refused (an unusable access token,
   * say): the new refresh token may be the only valid one now, so it is stored with the old access
   * token, before the refusal is thrown; on a failed write it waits in memory like any unsaved
   * rotation. The next call refreshes with it.
   */
  async #keepRefusedRotation(
    record: StoredAccount,
    current: TokenSet,
    replaced: string,
    rotated: string,
    error: unknown,
  ): Promise<void> {
    const tokens = freeze({ ...current, refreshToken: rotated, refreshTokenObtainedAt: Date.now() });
    const { authorizationRequired: _cleared, ...rest } = record;
    const note = error instanceof AuthorizerError ? refreshErrorNote(error, Date.now()) : undefined;
    try {
      await this.#storeRotated({ ...rest, tokens, ...(note && { lastRefreshError: note }) });
    } catch {
      this.#unsaved = { tokens, replaces: replaced };
      return;
    }
    this.#emit('tokens', tokens);
  }

  /**
   * Stores freshly rotated tokens, retrying a transient store failure (a Redis restart, a
   * network blip) with the refresh back-off while this process still holds the account's lock:
   * until they are stored, the new refresh token exists only here, and another process that takes
   * the lock next would refresh with the old one and, on a rotating server, revoke the grant.
   */
  async #storeRotated(record: StoredAccount): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.set(record);
        return;
      } catch (error) {
        if (!(error instanceof AuthorizerError) || !error.transient || attempt > this.#retries) throw error;
        // No caller's signal here: one caller giving up must not drop the only copy of the tokens.
        await sleep(this.#backoff(attempt, undefined) as number, undefined);
      }
    }
  }

  /** Writes tokens a failed store write left in memory, if the store still holds what they replace. */
  async #storeUnsaved(record: StoredAccount | undefined): Promise<StoredAccount | undefined> {
    const unsaved = this.#unsaved;
    if (unsaved === undefined) return record;
    if (record?.tokens?.refreshToken !== unsaved.replaces) {
      // The account was authorized again (or removed) meanwhile: the store's record wins.
      this.#unsaved = undefined;
      return record;
    }
    const { authorizationRequired: _cleared, lastRefreshError: _fixed, ...rest } = record;
    const updated: StoredAccount = { ...rest, tokens: unsaved.tokens };
    await this.store.set(updated);
    this.#unsaved = undefined;
    this.#emit('tokens', unsaved.tokens);
    return updated;
  }

  /** One token request, retried after transient failures with back-off; each attempt is a `refresh` event. */
  async #withRetry(request: () => Promise<TokenSet>, signal: AbortSignal): Promise<TokenSet> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const tokens = await request();
        this.#emit('refresh', {
          account: this.account,
          attempt,
          durationMs: performance.now() - started,
          ok: true,
        });
        return tokens;
      } catch (error) {
        this.#emit('refresh', {
          account: this.account,
          attempt,
          durationMs: performance.now() - started,
          ok: false,
          ...(error instanceof Error && { error }),
        });
        if (!(error instanceof AuthorizerError) || !error.transient || attempt > this.#retries) throw error;
        const delay = this.#backoff(attempt, error.retryAfter);
        if (delay === undefined) throw error;
        await sleep(delay, signal, WAITING);
      }
    }
  }

  /** The wait before retry `attempt`, or `undefined` when the server asks for more than we wait. */
  #backoff(attempt: number, retryAfter: number | undefined): number | undefined {
    if (retryAfter !== undefined) {
      const ms = retryAfter * 1000;
      return ms <= this.#maxRetryAfter ? ms : undefined;
    }
    const ceiling = Math.min(this.#maxDelay, this.#baseDelay * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  async #markAuthorizationRequired(
    record: StoredAccount,
    rejection: OAuthResponseError,
  ): Promise<AuthorizerError> {
    const detail = rejection.errorDescription ? `: ${rejection.errorDescription.slice(0, 300)}` : '';
    const reason = `${rejection.error}${detail}`;
    try {
      // The tokens stay: nothing is lost if the rejection was a provider's mistake, and a person
      // can still look at them. The mark makes every later call fail fast without the server.
      const since = Date.now();
      await this.store.set({
        ...record,
        authorizationRequired: { since, reason },
        lastRefreshError: refreshErrorNote(rejection, since),
      });
    } catch {
      // Not being able to mark changes nothing for the caller: the account needs authorization.
    }
    return this.#authorizationRequired(`was rejected by the provider ("${reason}")`, rejection);
  }

  /**
   * Keeps the failure of the last refresh in the record (under the lock), for a status view. A
   * cancelled wait is not a refresh failure, and a failed write of the note changes nothing.
   */
  async #noteRefreshError(record: StoredAccount, error: unknown): Promise<void> {
    if (!(error instanceof AuthorizerError) || error.code === OAUTH_ABORTED) return;
    try {
      await this.store.set({ ...record, lastRefreshError: refreshErrorNote(error, Date.now()) });
    } catch {
      // The caller gets the refresh error itself; the note is only a convenience.
    }
  }

  #authorizationRequired(problem: string, cause?: unknown): AuthorizerError {
    return new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, `account "${this.account}" ${problem}`, {
      hint: AUTHORIZE_AGAIN_HINT,
      ...(cause !== undefined && { cause }),
    });
  }

  #adopt(tokens: TokenSet): TokenSet {
    const frozen = Object.isFrozen(tokens) ? tokens : freeze(tokens);
    this.#tokens = frozen;
    this.#freshUntil = freshUntil(frozen, this.#minValidity);
    return frozen;
  }

  // A listener that throws must not turn a stored refresh into a failure for every caller; its
  // error surfaces as an uncaught exception, as it would from its own event.
  #emit<K extends keyof TokenManagerEvents>(event: K, ...args: TokenManagerEvents[K]): void {
    try {
      (this as EventEmitter).emit(event, ...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
