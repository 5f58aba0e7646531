import { AuthorizerError, OAUTH_INVALID_CONFIGURATION } from '../errors.js';
import type { ProviderConfig } from '../provider.js';
import type { TokenSet } from '../token-set.js';
import { requestTokens } from './token-request.js';

/**
 * Gets an app-only token with the client credentials grant (RFC 6749 §4.4), e.g. for Microsoft
 * 365 SMTP/IMAP with `https://outlook.office365.com/.default`. Needs a confidential client.
 *
 * @param options.scopes Default: the provider's `scopes`
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` without a client secret; the errors of the token endpoint.
 * @example
 * ```ts
 * const tokens = await requestClientCredentials(provider, { scopes: ['https://outlook.office365.com/.default'] });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function requestClientCredentials(
  provider: ProviderConfig,
  options: { scopes?: string[]; signal?: AbortSignal } = {},
): Promise<TokenSet> {
  if (!provider.clientSecret || provider.clientAuth === 'none') {
    throw new AuthorizerError(
      OAUTH_INVALID_CONFIGURATION,
      'the client credentials grant needs a confidential client with a secret',
      {
        hint: 'give the client secret',
      },
    );
  }
  const scopes = options.scopes ?? provider.scopes ?? [];
  return requestTokens(
    provider,
    { grant_type: 'client_credentials', ...(scopes.length > 0 && { scope: scopes.join(' ') }) },
    options.signal,
  );
}
