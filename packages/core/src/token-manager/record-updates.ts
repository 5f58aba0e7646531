/**
 * What the token manager writes into an account's record after a refresh: the merged, frozen
 * token set, and the note of a failed refresh.
 *
 * @module
 */
import type { AuthorizerError } from '../errors.js';
import { boundedTokenSet, type TokenSet } from '../token-set.js';
import type { StoredAccount } from '../token-store.js';

/** Freezes what the manager hands out and stores, with every instant one the store can write. */
export function freeze(tokens: TokenSet): TokenSet {
  const bounded = boundedTokenSet(tokens);
  Object.freeze(bounded.extra);
  return Object.freeze(bounded);
}

/**
 * The token set after a refresh of `current` (which has a refresh token): what `refreshed` leaves
 * out is kept from before.
 *
 * @example
 * ```ts
 * const tokens = freeze(mergeRefreshed(current, await refreshTokens(provider, current.refreshToken)));
 * ```
 */
export function mergeRefreshed(current: TokenSet, refreshed: TokenSet): TokenSet {
  const refreshToken = current.refreshToken as string;
  // A refresh token the server did not send (or an injected function copied) is the old one:
  // it keeps the time it was obtained.
  const rotated = refreshed.refreshToken !== undefined && refreshed.refreshToken !== refreshToken;
  const sentAgain = refreshed.refreshToken === refreshToken && refreshed.refreshTokenObtainedAt !== undefined;
  const refreshTokenObtainedAt =
    rotated || sentAgain
      ? (refreshed.refreshTokenObtainedAt ?? refreshed.obtainedAt)
      : current.refreshTokenObtainedAt;
  return {
    ...refreshed,
    // The server may leave out what did not change (RFC 6749 §6: the refresh token, §5.1: the
    // scope); an injected refresh function may not keep the old refresh token as core's does.
    refreshToken: refreshed.refreshToken || refreshToken,
    ...(refreshTokenObtainedAt !== undefined && { refreshTokenObtainedAt }),
    ...(refreshed.refreshToken === undefined &&
      current.refreshTokenExpiresAt !== undefined &&
      refreshed.refreshTokenExpiresAt === undefined && {
        refreshTokenExpiresAt: current.refreshTokenExpiresAt,
      }),
    ...(refreshed.scope === undefined && current.scope !== undefined && { scope: current.scope }),
    ...(refreshed.idToken === undefined && current.idToken !== undefined && { idToken: current.idToken }),
  };
}

/** The `lastRefreshError` note of a failed refresh; core's messages carry no secrets. */
export function refreshErrorNote(
  error: AuthorizerError,
  at: number,
): NonNullable<StoredAccount['lastRefreshError']> {
  return { at, code: error.code, message: error.message.slice(0, 500) };
}
