import {
  AuthorizerError,
  OAUTH_LOCK_TIMEOUT,
  OAUTH_STORE_CORRUPT,
  OAUTH_STORE_UNAVAILABLE,
} from '@oauth-authorizer/core';

/**
 * A stored record could not be decrypted: the store's `encryptionKey` (and `decryptionKeys`) is not
 * the key it was written with, the value was changed in Redis, it was copied from another account's
 * key, or it is encrypted and the store has no key (or plain and the store requires encryption).
 *
 * @example
 * ```ts
 * const record = await store.get(account).catch((error: unknown) => {
 *   if (isAuthorizerError(error, REDIS_STORE_DECRYPT_FAILED)) throw new Error('check TOKEN_STORE_KEY', { cause: error });
 *   throw error;
 * });
 * ```
 */
export const REDIS_STORE_DECRYPT_FAILED = 'REDIS_STORE_DECRYPT_FAILED';

/**
 * A write made under the account's lock was refused: the lock's lease ran out and the record changed
 * since this holder read it (another process took the lock and wrote newer tokens). Nothing was
 * written; trying again takes the lock and reads the newer record.
 *
 * @example
 * ```ts
 * // Transient: the next call reads the tokens the other holder stored.
 * const token = await manager.getAccessToken().catch((error: unknown) =>
 *   isAuthorizerError(error, REDIS_STORE_LOCK_LOST) ? manager.getAccessToken() : Promise.reject(error),
 * );
 * ```
 */
export const REDIS_STORE_LOCK_LOST = 'REDIS_STORE_LOCK_LOST';

/**
 * Every stable code this package defines; it also throws core's store codes
 * (`OAUTH_STORE_UNAVAILABLE`, `OAUTH_STORE_CORRUPT`, `OAUTH_LOCK_TIMEOUT`, `OAUTH_ABORTED`).
 *
 * @example
 * ```ts
 * import { isAuthorizerError, OAUTH_STORE_UNAVAILABLE } from '@oauth-authorizer/core';
 * import { REDIS_STORE_DECRYPT_FAILED, REDIS_STORE_LOCK_LOST } from '@oauth-authorizer/store-redis';
 *
 * try {
 *   await manager.getAccessToken();
 * } catch (error) {
 *   if (isAuthorizerError(error, REDIS_STORE_DECRYPT_FAILED)) console.error('wrong TOKEN_STORE_KEY');
 *   else if (isAuthorizerError(error, REDIS_STORE_LOCK_LOST) || isAuthorizerError(error, OAUTH_STORE_UNAVAILABLE)) retryLater();
 *   else throw error;
 * }
 * ```
 */
export type RedisStoreErrorCode = typeof REDIS_STORE_DECRYPT_FAILED | typeof REDIS_STORE_LOCK_LOST;

/** Redis errors that go away by themselves: a restart loading its data, a failover, a busy script. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|NOREPLICAS|OOM)\b/;
const MAX_MESSAGE = 200;

/**
 * A copy of a Redis client error that keeps its name, message and system `code` only. ioredis
 * attaches the failed command with its arguments (`error.command.args`), and those arguments are
 * stored records, i.e. tokens: the original must not travel on as `cause`.
 */
function sanitize(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(original.message.slice(0, MAX_MESSAGE));
  copy.name = original.name;
  const code = (original as NodeJS.ErrnoException).code;
  if (typeof code === 'string') (copy as NodeJS.ErrnoException).code = code;
  return copy;
}

/** Whether `error` is a reply error from the Redis server (as opposed to a connection problem). */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/**
 * Turns whatever a Redis command rejected with into an {@link AuthorizerError}: connection
 * problems (refused, reset, closed, timed out, not yet reconnected) and temporary server states
 * become transient `OAUTH_STORE_UNAVAILABLE`; a key of the wrong type becomes `OAUTH_STORE_CORRUPT`;
 * other server errors (e.g. an ACL refusal) become non-transient `OAUTH_STORE_UNAVAILABLE`. The
 * message says what was being done and what Redis said, never the command's arguments.
 */
export function redisFailure(what: string, error: unknown): AuthorizerError {
  if (error instanceof AuthorizerError) return error;
  const cause = sanitize(error);
  if (isReplyError(error)) {
    if (cause.message.startsWith('WRONGTYPE')) {
      return new AuthorizerError(
        OAUTH_STORE_CORRUPT,
        `${what}: a key of the store holds another Redis type than expected`,
        {
          cause,
          hint: "something else wrote under the store's key prefix: delete that key in Redis, or give the store its own keyPrefix",
        },
      );
    }
    return new AuthorizerError(OAUTH_STORE_UNAVAILABLE, `${what}: Redis answered "${cause.message}"`, {
      cause,
      transient: TRANSIENT_REPLY.test(cause.message),
    });
  }
  return new AuthorizerError(OAUTH_STORE_UNAVAILABLE, `${what}: Redis is unavailable (${cause.message})`, {
    cause,
    transient: true,
    hint: 'check that Redis is running and reachable; nothing was lost, try again when it is back',
  });
}

/** A stored value that is not a record. Says what is wrong, never what the value holds. */
export function corruptRecord(account: string, problem: string): AuthorizerError {
  return new AuthorizerError(
    OAUTH_STORE_CORRUPT,
    `the Redis record of account "${account}" is corrupt: ${problem}`,
    {
      // No command: a service using this store may have no CLI; a CLI adds its own where it prints.
      hint: 'delete it and authorize the account again',
    },
  );
}

/** A record that could not be decrypted (see {@link REDIS_STORE_DECRYPT_FAILED}). */
export function decryptFailed(account: string, problem: string): AuthorizerError {
  return new AuthorizerError(
    REDIS_STORE_DECRYPT_FAILED,
    `the Redis record of account "${account}" could not be decrypted: ${problem}`,
    {
      hint: 'give the store the key the record was written with (encryptionKey, or an older one in decryptionKeys)',
    },
  );
}

/** A lock not taken in time; transient, because the holder lets go or its lease runs out. */
export function lockTimeout(
  account: string,
  timeout: number,
  expiresIn: number | undefined,
): AuthorizerError {
  const lease =
    expiresIn !== undefined && expiresIn >= 0 ? `; the holder's lease ends in ${expiresIn} ms` : '';
  return new AuthorizerError(
    OAUTH_LOCK_TIMEOUT,
    `could not take the Redis lock of account "${account}" within ${timeout} ms${lease}`,
    { transient: true },
  );
}

/** A fenced write refused because the lease ran out and the record changed meanwhile. */
export function lockLost(account: string): AuthorizerError {
  return new AuthorizerError(
    REDIS_STORE_LOCK_LOST,
    `the Redis lock of account "${account}" was lost (its lease ran out and another holder wrote a newer record); nothing was written`,
    { transient: true, hint: 'try again: the next attempt reads the newer record' },
  );
}

// Cancellation is core's, one builder for every package.
export { abortError as aborted, throwIfAborted } from '@oauth-authorizer/core';
