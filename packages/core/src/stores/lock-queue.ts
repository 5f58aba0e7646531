import { AuthorizerError, OAUTH_LOCK_TIMEOUT } from '../errors.js';
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

// setTimeout fires at once for delays past 2^31-1 ms: a deadline that far (or Infinity) is none.
const MAX_TIMER = 2 ** 31 - 1;

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
    OAUTH_LOCK_TIMEOUT,
    `could not take the lock of account "${account}" within ${timeout} ms${holder ? ` (held by ${holder})` : ''}`,
    { transient: true },
  );
}

/**
 * Ends a turn in an {@link AccountLockQueue}: the next waiter gets it. Calling it again does nothing.
 *
 * @example
 * ```ts
 * const leave: LeaveQueue | undefined = await queue.waitForTurn('me@example.com', Date.now() + 1000);
 * leave?.();
 * ```
 */
export type LeaveQueue = () => void;

/**
 * Turns per account within one process, granted in arrival order: the memory store's lock, and the
 * first stage of the file and Redis stores' locks, so that callers in one process queue here instead
 * of polling the lock file or Redis against each other, and a store holds at most one cross-process
 * lock per account.
 *
 * @example
 * ```ts
 * const queue = new AccountLockQueue();
 * const lock = await queue.acquire('me@example.com', { timeout: 1000 });
 * try { await work(); } finally { await lock.release(); }
 * ```
 */
export class AccountLockQueue {
  // An entry means "held"; its array holds the waiters, oldest first.
  readonly #queues = new Map<string, Waiter[]>();

  /**
   * Takes the lock of `account`, waiting up to `timeout` ms (`Infinity`, or anything past 2^31 ms,
   * waits as long as it takes).
   *
   * @param options.timeout How long to wait, in ms. Default: 30 000
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` (transient), or `OAUTH_ABORTED` when `signal` aborts.
   * @example
   * ```ts
   * const lock = await queue.acquire('me@example.com', { timeout: 5_000, signal });
   * ```
   */
  async acquire(
    account: string,
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<TokenStoreLock> {
    const { timeout = DEFAULT_LOCK_TIMEOUT, signal } = options;
    const leave = await this.waitForTurn(account, Date.now() + timeout, signal);
    if (!leave) throw lockTimeoutError(account, timeout);
    return { release: async () => leave() };
  }

  /**
   * Waits for the account's turn until `deadline`, for a store that makes its own timeout error.
   *
   * @param deadline In ms since the epoch; `Infinity` waits as long as it takes.
   * @returns the function that ends the turn, or `undefined` when the deadline passed first.
   * @throws {AuthorizerError} `OAUTH_ABORTED` when `signal` aborts.
   * @example
   * ```ts
   * const leave = await queue.waitForTurn('me@example.com', Date.now() + timeout, signal);
   * if (!leave) throw new AuthorizerError(OAUTH_LOCK_TIMEOUT, `could not take the lock within ${timeout} ms`);
   * ```
   */
  waitForTurn(account: string, deadline: number, signal?: AbortSignal): Promise<LeaveQueue | undefined> {
    throwIfAborted(signal, 'waiting for the token store lock');
    const queue = this.#queues.get(account);
    if (queue === undefined) {
      this.#queues.set(account, []);
      return Promise.resolve(this.#leave(account));
    }
    return new Promise<LeaveQueue | undefined>((resolve, reject) => {
      const stopWaiting = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          stopWaiting();
          resolve(this.#leave(account));
        },
      };
      const onAbort = () => {
        stopWaiting();
        reject(abortError(signal as AbortSignal, 'waiting for the token store lock'));
      };
      const remaining = deadline - Date.now();
      const timer =
        remaining > MAX_TIMER
          ? undefined
          : setTimeout(
              () => {
                stopWaiting();
                resolve(undefined);
              },
              Math.max(0, remaining),
            );
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  #leave(account: string): LeaveQueue {
    let left = false;
    return () => {
      // Leaving twice must not hand the turn to a second waiter while the first one holds it.
      if (left) return;
      left = true;
      const next = this.#queues.get(account)?.shift();
      if (next) next.grant();
      else this.#queues.delete(account);
    };
  }
}
