/**
 * The options of the Redis token store, and the checks of its timing values.
 *
 * @module
 */
import type { RedisConnectionOption } from './connection.js';

/**
 * Options of `RedisTokenStore`.
 *
 * @example
 * ```ts
 * const options: RedisTokenStoreOptions = {
 *   redis: 'redis://127.0.0.1:6379',
 *   keyPrefix: 'mailer-prod:',
 *   encryptionKey: Buffer.from(process.env.TOKEN_STORE_KEY!, 'base64'),
 *   decryptionKeys: [Buffer.from(process.env.OLD_TOKEN_STORE_KEY!, 'base64')],
 *   lockLease: 20_000,
 * };
 * const store = new RedisTokenStore(options);
 * ```
 */
export interface RedisTokenStoreOptions {
  /**
   * The Redis to use: an ioredis client you made (the store uses it as it is and never closes
   * it), ioredis options, or a `redis://` / `rediss://` URL (the store makes its own client with
   * fail-fast settings, see `DEFAULT_CLIENT_OPTIONS`, and closes it in `close()`).
   */
  redis: RedisConnectionOption;
  /**
   * Prepended to every key the store uses, so several applications (or environments) share one
   * Redis without seeing each other's accounts. Default: `'oauth-authorizer:'`
   */
  keyPrefix?: string;
  /**
   * A 32-byte key: records are then stored encrypted with AES-256-GCM (a random 12-byte IV per
   * write; the record's Redis key is authenticated as additional data, so a value copied under
   * another account's key does not decrypt). With a key, records that are not encrypted are
   * refused. **Either this or `plaintext: true` is required**: records hold refresh tokens and
   * often the client secret, so storing them in clear is a choice to make, not a default.
   */
  encryptionKey?: Uint8Array;
  /**
   * Older 32-byte keys that records may still be encrypted with, newest first, tried after
   * `encryptionKey` when reading (writes always use `encryptionKey`): for rotating the key.
   * Default: none
   */
  decryptionKeys?: readonly Uint8Array[];
  /**
   * `true` stores records as plain JSON, for a Redis that is itself private and encrypted at rest
   * (or for tests). Required when there is no `encryptionKey`, refused with one.
   */
  plaintext?: boolean;
  /**
   * How long a lock is held without renewal, in ms: a holder that crashed blocks the account for
   * at most this long. Default: 15 000
   */
  lockLease?: number;
  /** How often a holder renews its lease, in ms; less than `lockLease`. Default: a third of `lockLease` */
  lockRenewInterval?: number;
  /** How long `lock()` waits when the caller gives no `timeout`, in ms. Default: 30 000 */
  lockTimeout?: number;
  /** Mean first pause between attempts to take a held lock, in ms (jittered, growing to 8×). Default: 25 */
  lockRetryInterval?: number;
  /**
   * How long an operation waits for the connection to be (re)established before it fails with a
   * transient `OAUTH_STORE_UNAVAILABLE`, in ms. Default: 2 000
   */
  readyTimeout?: number;
  /**
   * A record whose refresh token has a known expiry (`refreshTokenExpiresAt`) gets a Redis TTL of
   * that expiry plus this grace, in ms, so dead records go away by themselves; records without a
   * known refresh token expiry never expire. `false` never sets a TTL. Default: 30 days
   */
  recordExpiryGrace?: number | false;
}

/** One day in ms. */
export const DAY = 24 * 60 * 60_000;

/** A positive number of ms, or `fallback` when not given. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`"${name}" must be a positive number of milliseconds`);
  return value;
}
