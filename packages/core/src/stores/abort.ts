import { AuthorizerError, OAUTH_ABORTED } from '../errors.js';

/**
 * The error every store operation rejects with when its `signal` aborts.
 *
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
 * @throws {AuthorizerError} `OAUTH_ABORTED` when `signal` is already aborted.
 * @example
 * ```ts
 * throwIfAborted(options.signal);
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'the token store operation'): void {
  if (signal?.aborted) throw abortError(signal, what);
}
