import { AuthorizerError, LOCK_TIMEOUT } from '../errors.js';
import type { TokenStoreLock } from '../token-store.js';
import { abortError, throwIfAborted } from './abort.js';

/**
 * Default time to wait for a lock: 30 s.
 *
 * @example
 * ```ts
 * await store.lock(account, { timeout: DEFAULT_LOCK_TIMEOUT });
 * ```
 */
export const DEFAULT_LOCK_TIMEOUT = 30_000;

interface Waiter {
  grant(): void;
}

/**
 * The error for a lock not taken in time; transient, because the holder will let go.
 *
 * @example
 * ```ts
 * throw lockTimeoutError('me@example.com', 30_000, 'pid 4242 on laptop');
 * ```
 */
export function lockTimeoutError(account: string, timeout: number, holder?: string): AuthorizerError {
  return new AuthorizerError(
    LOCK_TIMEOUT,
    `could not take the lock of account "${account}" within ${timeout} ms${holder ? ` (held by ${holder})` : ''}`,
    { transient: true },
  );
}

/**
 * Exclusive locks per account within one process, granted in arrival order. The memory store's
 * lock, and the first stage of the file store's lock (so that callers in one process queue here
 * instead of polling the lock file against each other).
 *
 * @example
 * ```ts
 * const locks = new AccountLockQueue();
 * const lock = await locks.acquire('me@example.com', { timeout: 1000 });
 * try { await work(); } finally { await lock.release(); }
 * ```
 */
export class AccountLockQueue {
  // An entry means "held"; its array holds the waiters, oldest first.
  readonly #queues = new Map<string, Waiter[]>();

  /**
   * Takes the lock of `account`, waiting up to `timeout` ms.
   *
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT`, or `OAUTH_ABORTED` when `signal` aborts.
   */
  acquire(
    account: string,
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<TokenStoreLock> {
    const { timeout = DEFAULT_LOCK_TIMEOUT, signal } = options;
    throwIfAborted(signal, 'waiting for the token store lock');
    const queue = this.#queues.get(account);
    if (queue === undefined) {
      this.#queues.set(account, []);
      return Promise.resolve(this.#handle(account));
    }
    return new Promise<TokenStoreLock>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.#handle(account));
        },
      };
      const onAbort = () => {
        leave();
        reject(abortError(signal as AbortSignal, 'waiting for the token store lock'));
      };
      const timer = setTimeout(() => {
        leave();
        reject(lockTimeoutError(account, timeout));
      }, timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  #handle(account: string): TokenStoreLock {
    let released = false;
    return {
      release: async () => {
        // Releasing twice must not hand the lock to a second waiter while the first one holds it.
        if (released) return;
        released = true;
        const queue = this.#queues.get(account);
        const next = queue?.shift();
        if (next) next.grant();
        else this.#queues.delete(account);
      },
    };
  }
}
