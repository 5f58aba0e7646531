import { EventEmitter } from 'node:events';
import { abortError } from './abort.js';
import {
  AuthorizerError,
  OAUTH_ABORTED,
  OAUTH_AUTHORIZATION_REQUIRED,
  type OAuthResponseError,
} from './errors.js';
import { requestClientCredentials } from './flows/client-credentials.js';
import { refreshTokens } from './flows/refresh.js';
import { refreshTokenOfRefusedResponse } from './flows/token-request.js';
import type { ProviderConfig } from './provider.js';
import {
  authorizationRequired,
  isGrantGone,
  rejectionReason,
} from './token-manager/authorization-required.js';
import {
  type ClientCredentialsFunction,
  checkCount,
  checkOptions,
  checkSeconds,
  type GetAccessTokenOptions,
  type RefreshFunction,
  type TokenManagerEvents,
  type TokenManagerGrant,
  type TokenManagerOptions,
} from './token-manager/options.js';
import { freeze, mergeRefreshed, refreshErrorNote } from './token-manager/record-updates.js';
import { RefreshRetry } from './token-manager/refresh-retry.js';
import { SingleFlight } from './token-manager/single-flight.js';
import { freshUntil, type TokenSet } from './token-set.js';
import type { StoredAccount, TokenStore } from './token-store.js';

export type {
  ClientCredentialsFunction,
  GetAccessTokenOptions,
  RefreshAttempt,
  RefreshFunction,
  RefreshRetryOptions,
  TokenManagerEvents,
  TokenManagerGrant,
  TokenManagerOptions,
} from './token-manager/options.js';

/** What a caller of the manager does, for the abort message. */
const WAITING = 'waiting for an access token';

interface FlightRequest {
  force: boolean;
  /** The access token the forcing caller saw (and wants replaced). */
  seen: string | undefined;
  minValidity: number;
}

interface UnsavedTokens {
  tokens: TokenSet;
  /** The refresh token they replaced: they are stored only if the store still holds it. */
  replaces: string;
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
  readonly #retry: RefreshRetry;
  readonly #lockTimeout: number;
  readonly #scopes: string[] | undefined;
  readonly #grant: TokenManagerGrant;
  readonly #refresh: RefreshFunction;
  readonly #clientCredentials: ClientCredentialsFunction;

  #tokens: TokenSet | undefined;
  // The fast path's whole test: before this instant, `#tokens` is fresh for the default minValidity.
  #freshUntil = Number.NEGATIVE_INFINITY;
  readonly #flights = new SingleFlight<TokenSet>(WAITING);
  #unsaved: UnsavedTokens | undefined;

  /** @throws {TypeError} when an option is missing or of the wrong type. */
  constructor(options: TokenManagerOptions) {
    super();
    const grant = checkOptions(options);
    this.account = options.account;
    this.store = options.store;
    this.provider = options.provider;
    this.#minValidity = checkSeconds('minValidity', options.minValidity ?? 60);
    this.#retry = new RefreshRetry(options.retry);
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
    const running = this.#flights.current;
    if (running !== undefined) {
      const tokens = await this.#flights.join(running, signal);
      if (satisfied(tokens)) return tokens;
    }
    const request: FlightRequest = { force, seen, minValidity };
    const flight = this.#flights.current ?? this.#flights.start((own) => this.#fly(request, own));
    return this.#flights.join(flight, signal);
  }

  async #fly(request: FlightRequest, signal: AbortSignal): Promise<TokenSet> {
    let { seen } = request;
    const { force, minValidity } = request;
    try {
      // Read without the lock first: another process may have refreshed, and the hot path of a
      // fresh process (a mail client's password command) must not take a lock just to read a valid token.
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
      throw authorizationRequired(
        this.account,
        record === undefined ? 'is not authorized yet' : 'has no tokens',
      );
    if (record.authorizationRequired) {
      const { since, reason } = record.authorizationRequired;
      throw authorizationRequired(
        this.account,
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
      throw authorizationRequired(
        this.account,
        'has no refresh token, and its access token must be replaced',
      );
    let refreshed: TokenSet;
    try {
      // The request gets no signal: aborting it after the server rotated the refresh token would
      // lose the new one. The HTTP timeout bounds it; waiters can stop waiting with their signal.
      const options = this.#scopes ? { scopes: this.#scopes } : {};
      refreshed = await this.#withRetry(() => this.#refresh(this.provider, refreshToken, options), signal);
    } catch (error) {
      if (isGrantGone(error)) throw await this.#markAuthorizationRequired(record, error);
      const rotated = refreshTokenOfRefusedResponse(error);
      if (rotated !== undefined && rotated !== refreshToken) {
        await this.#keepRefusedRotation(record, current, refreshToken, rotated, error);
      } else await this.#noteRefreshError(record, error);
      throw error;
    }
    const tokens = freeze(mergeRefreshed(current, refreshed));
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
    await this.#retry.write(() => this.store.set(record));
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
  #withRetry(request: () => Promise<TokenSet>, signal: AbortSignal): Promise<TokenSet> {
    return this.#retry.request(request, signal, WAITING, (attempt) =>
      this.#emit('refresh', { account: this.account, ...attempt }),
    );
  }

  async #markAuthorizationRequired(
    record: StoredAccount,
    rejection: OAuthResponseError,
  ): Promise<AuthorizerError> {
    const reason = rejectionReason(rejection);
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
    return authorizationRequired(this.account, `was rejected by the provider ("${reason}")`, rejection);
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
