import { createHash } from 'node:crypto';
import {
  AccountLockQueue,
  type StoredAccount,
  type TokenStore,
  type TokenStoreLock,
} from '@oauth-authorizer/core';
import {
  checkAccountName,
  checkStoredAccount,
  parseStoredJSON,
  storedAccountFromJSON,
  storedAccountToJSON,
} from '@oauth-authorizer/core/store-kit';
import type { Redis } from 'ioredis';
import { RedisConnection } from './connection.js';
import {
  corruptRecord,
  decryptFailed,
  lockLost,
  lockTimeout,
  redisFailure,
  throwIfAborted,
} from './errors.js';
import {
  DELETE_RECORD,
  LIST_ACCOUNTS,
  READ_RECORD_LOCKED,
  runScript,
  WRITE_RECORD,
  WRITE_RECORD_FENCED,
} from './lua-scripts.js';
import {
  checkEncryptionKey,
  decryptRecord,
  ENVELOPE_VERSION,
  encryptRecord,
  isEnvelope,
} from './record-encryption.js';
import { acquireRedisLock, HeldRedisLock, type LockTiming } from './redis-lock.js';
import { DAY, positive, type RedisTokenStoreOptions } from './redis-token-store-options.js';

export type { RedisTokenStoreOptions } from './redis-token-store-options.js';

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

/**
 * A {@link TokenStore} on Redis, for fleets of senders: several processes or machines that send or
 * read mail for the same accounts share one record per account and one lock per account, so that
 * core's `TokenManager` refreshes once per expiry across all of them and a rotated refresh token is
 * never used twice.
 *
 * - Each record is one string key, written atomically together with its entry in the account index
 *   (a Lua script); optionally encrypted with AES-256-GCM.
 * - `lock()` is a lease (`SET NX PX`) with a random token, renewed while held, released only by its
 *   holder; writes made under it are fenced: once the lease is lost and another holder wrote, they
 *   are refused (`REDIS_STORE_LOCK_LOST`) instead of overwriting newer tokens.
 * - Redis being down or failing mid-operation gives a transient `OAUTH_STORE_UNAVAILABLE` at once,
 *   and no partial write; the same call works again once Redis is back.
 *
 * @example
 * ```ts
 * import { TokenManager } from '@oauth-authorizer/core';
 * import { RedisTokenStore } from '@oauth-authorizer/store-redis';
 *
 * const store = new RedisTokenStore({
 *   redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
 *   encryptionKey: Buffer.from(process.env.TOKEN_STORE_KEY ?? '', 'base64'),
 * });
 * const manager = new TokenManager({ account: 'me@example.com', store, provider });
 * const accessToken = await manager.getAccessToken();
 * await store.close();
 * ```
 */
export class RedisTokenStore implements TokenStore {
  /** The prefix of every key the store uses. */
  readonly keyPrefix: string;
  readonly #connection: RedisConnection;
  readonly #encryptionKey: Buffer | undefined;
  readonly #decryptionKeys: Buffer[];
  readonly #timing: LockTiming;
  readonly #lockTimeout: number;
  readonly #expiryGrace: number | false;
  readonly #queue = new AccountLockQueue();
  readonly #held = new Map<string, HeldRedisLock>();

  /**
   * Makes a store. A store made from options or a URL connects on first use.
   *
   * @throws {TypeError} when an option is invalid (neither `encryptionKey` nor `plaintext: true`,
   *   a key that is not 32 bytes, a renew interval not shorter than the lease, …).
   */
  constructor(options: RedisTokenStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const keyPrefix = options.keyPrefix ?? 'oauth-authorizer:';
    if (typeof keyPrefix !== 'string') throw new TypeError('"keyPrefix" must be a string');
    const lease = positive('lockLease', options.lockLease, 15_000);
    const renewInterval = positive('lockRenewInterval', options.lockRenewInterval, lease / 3);
    if (renewInterval >= lease) throw new TypeError('"lockRenewInterval" must be shorter than "lockLease"');
    const grace = options.recordExpiryGrace ?? 30 * DAY;
    if (grace !== false && (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0))
      throw new TypeError('"recordExpiryGrace" must be a number of milliseconds or false');
    if (options.decryptionKeys !== undefined && !Array.isArray(options.decryptionKeys))
      throw new TypeError('"decryptionKeys" must be an array of 32-byte keys');
    if (options.plaintext !== undefined && typeof options.plaintext !== 'boolean')
      throw new TypeError('"plaintext" must be a boolean');
    if (options.encryptionKey === undefined && options.plaintext !== true)
      throw new TypeError(
        'RedisTokenStore needs "encryptionKey" (a 32-byte key: records hold refresh tokens and client secrets, and are then stored encrypted) or "plaintext: true" (to store them as plain JSON, knowingly)',
      );
    if (options.encryptionKey !== undefined && options.plaintext === true)
      throw new TypeError('"plaintext: true" and "encryptionKey" exclude each other: give one');
    this.#encryptionKey =
      options.encryptionKey === undefined
        ? undefined
        : checkEncryptionKey(options.encryptionKey, 'encryptionKey');
    this.#decryptionKeys = [
      ...(this.#encryptionKey ? [this.#encryptionKey] : []),
      ...(options.decryptionKeys ?? []).map((key, index) =>
        checkEncryptionKey(key, `decryptionKeys[${index}]`),
      ),
    ];
    if (this.#decryptionKeys.length > 0 && !this.#encryptionKey)
      throw new TypeError('"decryptionKeys" need an "encryptionKey" to write with');
    this.keyPrefix = keyPrefix;
    this.#timing = {
      lease: Math.ceil(lease),
      renewInterval,
      retryInterval: positive('lockRetryInterval', options.lockRetryInterval, 25),
    };
    this.#lockTimeout = positive('lockTimeout', options.lockTimeout, 30_000);
    this.#expiryGrace = grace;
    this.#connection = new RedisConnection(
      options.redis,
      positive('readyTimeout', options.readyTimeout, 2_000),
    );
  }

  /** The Redis client the store uses (its own, or the one it was given). */
  get redis(): Redis {
    return this.#connection.client;
  }

  /** The Redis key of the account's record. */
  recordKey(account: string): string {
    checkAccountName(account);
    return `${this.keyPrefix}account:${account}`;
  }

  /** The Redis key of the account's lock. */
  lockKey(account: string): string {
    checkAccountName(account);
    return `${this.keyPrefix}lock:${account}`;
  }

  /** The Redis key of the set of account names. */
  get indexKey(): string {
    return `${this.keyPrefix}accounts`;
  }

  /**
   * The account's record, or `undefined` when there is none. Under a lock this store holds, the
   * read also notes what the record was, for the fenced write that follows.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_CORRUPT` for a value that is not a record,
   *   `REDIS_STORE_DECRYPT_FAILED` for one that does not decrypt, `OAUTH_STORE_UNAVAILABLE`
   *   (transient) when Redis cannot be reached.
   */
  async get(account: string, options: { signal?: AbortSignal } = {}): Promise<StoredAccount | undefined> {
    const key = this.recordKey(account);
    const what = `could not read account "${account}" from Redis`;
    throwIfAborted(options.signal, 'reading from the token store');
    const redis = await this.#connection.ready(what, options.signal);
    const held = this.#held.get(account);
    let value: string | null;
    try {
      if (held) {
        const reply = (await runScript(redis, READ_RECORD_LOCKED, [key, held.key], [held.token])) as [
          string | null,
          number,
          string,
        ];
        value = reply[0] ?? null;
        // Only a read made while the lock was verifiably ours may vouch for a later fenced write.
        if (reply[1] === 1)
          held.observed = value === null ? { kind: 'absent' } : { kind: 'sha', sha: reply[2] };
        else held.markLost();
      } else {
        value = await redis.get(key);
      }
    } catch (error) {
      throw redisFailure(what, error);
    }
    return value === null ? undefined : this.#decode(account, key, value);
  }

  /**
   * Writes the account's record atomically (with its index entry and TTL, in one step). Under a
   * lock this store holds, the write is fenced: it goes through while the lock is ours, or, when
   * its lease ran out, only if the record is still what was read under it.
   *
   * @throws {TypeError} when `record` is not a valid record.
   * @throws {AuthorizerError} `REDIS_STORE_LOCK_LOST` (transient) when the fenced write was
   *   refused, `OAUTH_STORE_UNAVAILABLE` (transient) when Redis cannot be reached; in both cases
   *   nothing was written.
   */
  async set(record: StoredAccount, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkStoredAccount(record);
    const account = record.account;
    const key = this.recordKey(account);
    const what = `could not write account "${account}" to Redis`;
    throwIfAborted(options.signal, 'writing to the token store');
    const value = this.#encode(record, key);
    const ttl = String(this.#ttlOf(record));
    const redis = await this.#connection.ready(what, options.signal);
    const held = this.#held.get(account);
    try {
      if (!held) {
        await runScript(redis, WRITE_RECORD, [key, this.indexKey], [value, account, ttl]);
        return;
      }
      const { observed } = held;
      const written = await runScript(
        redis,
        WRITE_RECORD_FENCED,
        [key, this.indexKey, held.key],
        [value, account, ttl, held.token, observed.kind, observed.kind === 'sha' ? observed.sha : ''],
      );
      if (written !== 1) {
        held.markLost();
        throw lockLost(account);
      }
      held.observed = { kind: 'sha', sha: sha1(value) };
    } catch (error) {
      throw redisFailure(what, error);
    }
  }

  /**
   * Deletes the account's record and its index entry; no error when there is none. The lock,
   * which another process may hold, stays.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` (transient) when Redis cannot be reached.
   */
  async delete(account: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const key = this.recordKey(account);
    const what = `could not delete account "${account}" from Redis`;
    throwIfAborted(options.signal, 'deleting from the token store');
    const redis = await this.#connection.ready(what, options.signal);
    try {
      await runScript(redis, DELETE_RECORD, [key, this.indexKey], [account]);
    } catch (error) {
      throw redisFailure(what, error);
    }
  }

  /**
   * The stored account names under this store's prefix, sorted.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` (transient) when Redis cannot be reached.
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const what = 'could not list the accounts in Redis';
    throwIfAborted(options.signal, 'listing the token store');
    const redis = await this.#connection.ready(what, options.signal);
    let names: unknown;
    try {
      names = await runScript(redis, LIST_ACCOUNTS, [this.indexKey], [`${this.keyPrefix}account:`]);
    } catch (error) {
      throw redisFailure(what, error);
    }
    return (
      Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
    ).sort();
  }

  /**
   * Takes the account's lock across every process and machine using this Redis and prefix:
   * first in arrival order among callers in this process, then the Redis lease. The lease is
   * renewed while the lock is held and ends `lockLease` ms after a holder crashed.
   *
   * @param options.timeout How long to wait, in ms. Default: the store's `lockTimeout` (30 000)
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` (transient) after `timeout`,
   *   `OAUTH_STORE_UNAVAILABLE` (transient) when Redis cannot be reached, `OAUTH_ABORTED` when
   *   `signal` aborts.
   * @example
   * ```ts
   * const lock = await store.lock('me@example.com', { timeout: 10_000 });
   * try {
   *   const record = await store.get('me@example.com');
   *   // … refresh …
   *   await store.set({ ...record, account: 'me@example.com', tokens: refreshed });
   * } finally {
   *   await lock.release();
   * }
   * ```
   */
  async lock(
    account: string,
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<TokenStoreLock> {
    const key = this.lockKey(account);
    const timeout = options.timeout ?? this.#lockTimeout;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)
      throw new TypeError('"timeout" must be a number of milliseconds');
    const deadline = Date.now() + timeout;
    const leave = await this.#queue.waitForTurn(account, deadline, options.signal);
    if (!leave) throw lockTimeout(account, timeout, undefined);
    try {
      const token = await acquireRedisLock(this.#connection, {
        account,
        key,
        timeout,
        deadline,
        timing: this.#timing,
        signal: options.signal,
      });
      const held = new HeldRedisLock(this.#connection, { account, key, token, timing: this.#timing }, () => {
        if (this.#held.get(account) === held) this.#held.delete(account);
        leave();
      });
      this.#held.set(account, held);
      return held;
    } catch (error) {
      leave();
      throw error;
    }
  }

  /**
   * Closes the connection if the store made it (a client you passed stays open). Locks still held
   * stop renewing and end with their lease.
   */
  async close(): Promise<void> {
    for (const held of this.#held.values()) held.markLost();
    await this.#connection.close();
  }

  /** Closes the store (see {@link close}); for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The TTL of a record in ms, `0` for none: never before its refresh token can have expired. */
  #ttlOf(record: StoredAccount): number {
    const expiresAt = record.tokens?.refreshToken ? record.tokens.refreshTokenExpiresAt : undefined;
    if (this.#expiryGrace === false || expiresAt === undefined) return 0;
    const now = Date.now();
    return Math.ceil(Math.max(expiresAt, now) + this.#expiryGrace - now) || 1;
  }

  #encode(record: StoredAccount, key: string): string {
    // Compact, unlike core's token files: nobody reads a Redis value in an editor.
    const plain = JSON.stringify(storedAccountToJSON(record));
    if (!this.#encryptionKey) return plain;
    return JSON.stringify({
      version: ENVELOPE_VERSION,
      encrypted: encryptRecord(plain, this.#encryptionKey, key),
    });
  }

  #decode(account: string, key: string, value: string): StoredAccount {
    const corrupt = (problem: string) => corruptRecord(account, problem);
    const json = parseStoredJSON(value, corrupt);
    const sealed = typeof json === 'object' && json !== null && 'encrypted' in json;
    if (!sealed) {
      if (this.#encryptionKey)
        throw decryptFailed(account, 'it is stored unencrypted, and this store requires encryption');
      return storedAccountFromJSON(json, account, corrupt);
    }
    const { version, encrypted } = json as { version?: unknown; encrypted: unknown };
    if (!this.#encryptionKey)
      throw decryptFailed(account, 'it is encrypted, and this store has no encryptionKey');
    if (version !== ENVELOPE_VERSION)
      throw corrupt(`"version" must be ${ENVELOPE_VERSION}, got ${JSON.stringify(version) ?? 'nothing'}`);
    if (!isEnvelope(encrypted)) throw corrupt('"encrypted" must hold "alg", "iv", "tag" and "data" strings');
    const result = decryptRecord(encrypted, this.#decryptionKeys, key);
    if ('problem' in result) throw decryptFailed(account, result.problem);
    return storedAccountFromJSON(parseStoredJSON(result.plaintext, corrupt), account, corrupt);
  }
}
