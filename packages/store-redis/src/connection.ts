import { AuthorizerError, OAUTH_STORE_UNAVAILABLE } from '@oauth-authorizer/core';
import { Redis, type RedisOptions } from 'ioredis';
import { aborted, redisFailure } from './errors.js';

/**
 * Where the store's Redis is: a client you made, ioredis options, or a `redis://` / `rediss://` URL.
 *
 * @example
 * ```ts
 * new RedisTokenStore({ redis: 'rediss://:password@redis.internal:6380/2' });
 * new RedisTokenStore({ redis: { host: 'redis.internal', port: 6379, username: 'tokens', password } });
 * new RedisTokenStore({ redis: existingIoredisClient }); // used as is, never closed by the store
 * ```
 */
export type RedisConnectionOption = Redis | RedisOptions | string;

/**
 * The ioredis settings of a client the store makes itself. A store must fail fast and cleanly when
 * Redis is away instead of queueing commands that run minutes later: no offline queue, no resend of
 * commands that were in flight when the connection dropped (a write the caller was told had failed
 * must not land after all), and a bounded wait for every reply. It keeps reconnecting in the
 * background, so operations work again as soon as Redis is back. Options you pass win over these.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { DEFAULT_CLIENT_OPTIONS, RedisTokenStore } from '@oauth-authorizer/store-redis';
 *
 * // A client of your own (shared with other code) with the store's fail-fast behaviour:
 * const redis = new Redis(process.env.REDIS_URL!, { ...DEFAULT_CLIENT_OPTIONS, lazyConnect: false });
 * const store = new RedisTokenStore({ redis });
 * ```
 */
export const DEFAULT_CLIENT_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
});

/**
 * The store's connection: a client it made (and closes), or one the caller gave (and closes
 * itself). Every operation first waits, up to `readyTimeout`, for the client to be connected, so
 * that a store used right after it was made, or while the client reconnects, does not fail for
 * nothing.
 */
export class RedisConnection {
  readonly client: Redis;
  readonly #owned: boolean;
  readonly #readyTimeout: number;
  #lastError: Error | undefined;
  #waiting: Promise<void> | undefined;
  #closed = false;

  constructor(option: RedisConnectionOption, readyTimeout: number) {
    this.#readyTimeout = readyTimeout;
    if (option instanceof Redis) {
      this.client = option;
      this.#owned = false;
    } else if (typeof option === 'string') {
      this.client = new Redis(option, { ...DEFAULT_CLIENT_OPTIONS });
      this.#owned = true;
    } else if (typeof option === 'object' && option !== null) {
      this.client = new Redis({ ...DEFAULT_CLIENT_OPTIONS, ...option });
      this.#owned = true;
    } else {
      throw new TypeError('"redis" must be an ioredis client, ioredis options or a redis:// URL');
    }
    if (this.#owned) {
      // Without a listener ioredis prints every reconnection failure to the console; the store
      // reports the last one in its own error instead, when an operation needs the connection.
      this.client.on('error', (error: Error) => {
        this.#lastError = error;
      });
    }
  }

  /**
   * The client, once it is connected.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` (transient) when it is not connected
   *   within `readyTimeout`; `OAUTH_ABORTED` when `signal` aborts.
   */
  async ready(what: string, signal?: AbortSignal): Promise<Redis> {
    const client = this.client;
    if (client.status === 'ready') return client;
    if (this.#closed)
      throw new AuthorizerError(OAUTH_STORE_UNAVAILABLE, `${what}: the Redis token store was closed`);
    if (client.status === 'end' && !this.#owned) {
      throw new AuthorizerError(
        OAUTH_STORE_UNAVAILABLE,
        `${what}: the given Redis client's connection has ended`,
        {
          hint: 'the client was closed (quit or disconnect), or its retryStrategy gave up reconnecting',
        },
      );
    }
    if (client.status === 'wait' || client.status === 'end') client.connect().catch(() => undefined);
    this.#waiting ??= this.#waitForReady().finally(() => {
      this.#waiting = undefined;
    });
    try {
      await (signal ? raceAbort(this.#waiting, signal, what) : this.#waiting);
    } catch (error) {
      throw redisFailure(what, error);
    }
    return client;
  }

  #waitForReady(): Promise<void> {
    const client = this.client;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', onReady);
      };
      const onReady = () => {
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        const last = this.#lastError ? `; last error: ${this.#lastError.message}` : '';
        reject(new Error(`not connected within ${this.#readyTimeout} ms (${client.status}${last})`));
      }, this.#readyTimeout);
      client.on('ready', onReady);
      if (client.status === 'ready') onReady();
    });
  }

  /** Closes the client if the store made it; a client the caller gave stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // The connection broke while quitting: drop it below.
      }
    }
    this.client.disconnect();
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
