import { requireEndpoint } from '../discovery.js';
import { postToEndpoint } from '../http.js';
import type { ProviderConfig } from '../provider.js';

/**
 * Revokes a token at the provider (RFC 7009). Revoking a refresh token usually ends the whole
 * grant. The server answers 200 also for tokens it no longer knows, so success means "not valid
 * any more", not "was valid".
 *
 * @param options.tokenTypeHint `refresh_token` or `access_token`, to help the server look it up.
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when the provider has no revocation endpoint;
 *   `OAuthResponseError` and the transport codes otherwise.
 * @example
 * ```ts
 * await revokeToken(provider, tokens.refreshToken, { tokenTypeHint: 'refresh_token' });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeToken(
  provider: ProviderConfig,
  token: string,
  options: { tokenTypeHint?: 'refresh_token' | 'access_token'; signal?: AbortSignal } = {},
): Promise<void> {
  if (typeof token !== 'string' || token === '') throw new TypeError('"token" must be a non-empty string');
  const { provider: resolved, url } = await requireEndpoint(
    provider,
    'revocationUrl',
    'revocation endpoint',
    options.signal,
  );
  await postToEndpoint({
    provider: resolved,
    endpoint: 'revocation endpoint',
    url,
    fields: { token, ...(options.tokenTypeHint && { token_type_hint: options.tokenTypeHint }) },
    signal: options.signal,
    bodyOptional: true,
  });
}
