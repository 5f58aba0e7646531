import { aborted, throwIfAborted } from './errors.js';

/** Ends a turn in the queue; the next waiter gets it. Idempotent. */
export type LeaveQueue = () => void;

const MAX_TIMER = 2 ** 31 - 1;

interface Waiter {
  grant(): void;
}

/**
 * Turns per account within one process, granted in arrival order: the first stage of the Redis
 * lock, so that callers in one process queue here instead of polling Redis against each other,
 * and so that a store holds at most one Redis lock per account (the one its fenced writes check).
 */
export class AccountLockQueue {
  // An entry means "held"; its array holds the waiters, oldest first.
  readonly #queues = new Map<string, Waiter[]>();

  /**
   * Waits for the account's turn until `deadline` (ms since the epoch).
   *
   * @returns `undefined` when the deadline passed first.
   * @throws {AuthorizerError} `OAUTH_ABORTED` when `signal` aborts.
   */
  acquire(account: string, deadline: number, signal?: AbortSignal): Promise<LeaveQueue | undefined> {
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
        reject(aborted(signal as AbortSignal, 'waiting for the token store lock'));
      };
      const remaining = Math.max(0, deadline - Date.now());
      // setTimeout fires at once for delays past 2^31-1 ms: a deadline that far (or Infinity) is none.
      const timer =
        remaining <= MAX_TIMER
          ? setTimeout(() => {
              stopWaiting();
              resolve(undefined);
            }, remaining)
          : undefined;
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
