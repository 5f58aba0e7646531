import type { ProviderConfig } from '../provider.js';
import type { TokenSet } from '../token-set.js';
import { requestTokens } from './token-request.js';

/**
 * Exchanges a refresh token for new tokens (RFC 6749 §6). When the server rotates the refresh
 * token, the new one is in the result; when it sends none, the old one is kept in the result.
 * Storing the result before using it is the caller's job (the token manager does it).
 *
 * @param options.scopes Ask for fewer scopes than granted (optional).
 * @throws {OAuthResponseError} e.g. `invalid_grant` when the refresh token is no longer valid.
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE`, and transport codes with `transient: true`.
 * @example
 * ```ts
 * const tokens = await refreshTokens(provider, stored.refreshToken);
 * await store.set({ account, tokens });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshTokens(
  provider: ProviderConfig,
  refreshToken: string,
  options: { scopes?: string[]; signal?: AbortSignal } = {},
): Promise<TokenSet> {
  if (typeof refreshToken !== 'string' || refreshToken === '')
    throw new TypeError('"refreshToken" must be a non-empty string');
  const tokens = await requestTokens(
    provider,
    {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...(options.scopes && options.scopes.length > 0 && { scope: options.scopes.join(' ') }),
    },
    options.signal,
  );
  return tokens.refreshToken ? tokens : { ...tokens, refreshToken };
}
