import { AuthorizerError, OAUTH_ABORTED } from './errors.js';

/**
 * Cancellation, one way for every package: the `OAUTH_ABORTED` error a cancelled operation
 * rejects with, and the waits that end with it.
 *
 * @module
 */

/**
 * The error an operation rejects with when its `signal` aborts: `OAUTH_ABORTED`, the message
 * `<what> was aborted`, and the signal's reason as `cause`.
 *
 * @param what What was under way, for the message: `waiting for the token store lock`.
 * @example
 * ```ts
 * signal.addEventListener('abort', () => reject(abortError(signal, 'waiting for the lock')));
 * ```
 */
export function abortError(signal: AbortSignal, what: string): AuthorizerError {
  return new AuthorizerError(OAUTH_ABORTED, `${what} was aborted`, { cause: signal.reason });
}

/**
 * Throws at once for an already aborted `signal`.
 *
 * @param what Default: `the token store operation`
 * @throws {AuthorizerError} `OAUTH_ABORTED` when `signal` is already aborted.
 * @example
 * ```ts
 * throwIfAborted(options.signal, 'reading the account');
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'the token store operation'): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * Waits `ms` milliseconds, or rejects as soon as `signal` aborts — at once when it already has,
 * so a loop that sleeps between attempts stops on its first turn after a cancel.
 *
 * @param what What the wait is part of, for the abort message. Default: `waiting`
 * @throws {AuthorizerError} `OAUTH_ABORTED` (see {@link abortError}) when `signal` aborts.
 * @example
 * ```ts
 * await sleep(retryInterval, options.signal, 'waiting for the token store lock');
 * ```
 */
export function sleep(ms: number, signal: AbortSignal | undefined, what = 'waiting'): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, what));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
