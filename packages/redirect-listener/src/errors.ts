/**
 * Error codes the redirect listener adds to core's. The listener also throws core's own codes:
 * `OAUTH_LISTENER_FAILED` (cannot listen), `OAUTH_LISTENER_TIMEOUT` (no redirect in time),
 * `OAUTH_ABORTED` (cancelled) and `OAUTH_INVALID_CONFIGURATION` (unusable redirect URL).
 *
 * @module
 */

/**
 * The listener was closed — by `close()`, or because it already received its one callback or gave
 * up waiting — so it cannot wait (any more).
 *
 * @example
 * ```ts
 * import { isAuthorizerError } from '@oauth-authorizer/core';
 * import { LISTENER_CLOSED } from '@oauth-authorizer/redirect-listener';
 *
 * function wasClosed(error: unknown): boolean {
 *   return isAuthorizerError(error, LISTENER_CLOSED);
 * }
 * ```
 */
export const LISTENER_CLOSED = 'REDIRECT_LISTENER_CLOSED';

/**
 * Every code the redirect listener defines itself.
 *
 * @example
 * ```ts
 * const code: RedirectListenerErrorCode = LISTENER_CLOSED;
 * ```
 */
export type RedirectListenerErrorCode = typeof LISTENER_CLOSED;
