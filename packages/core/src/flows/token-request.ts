import { requireEndpoint } from '../discovery.js';
import { postToEndpoint } from '../http.js';
import type { ProviderConfig } from '../provider.js';
import { redactError } from '../redact.js';
import { type TokenSet, tokenSetFromResponse } from '../token-set.js';

/**
 * What every grant shares (RFC 6749 §4–6): POSTs `fields` to the provider's token endpoint
 * (discovered when only an issuer is known), authenticating the client, and reads the answer as a
 * {@link TokenSet}.
 *
 * @internal used by the flows.
 * @throws {OAuthResponseError} for an OAuth error body; {@link AuthorizerError} for the rest.
 */
export async function requestTokens(
  provider: ProviderConfig,
  fields: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<TokenSet> {
  const { provider: resolved, url } = await requireEndpoint(provider, 'tokenUrl', 'token endpoint', signal);
  const { body, secrets } = await postToEndpoint({
    provider: resolved,
    endpoint: 'token endpoint',
    url,
    fields,
    signal,
  });
  try {
    return tokenSetFromResponse(body);
  } catch (error) {
    throw redactError(error, secrets);
  }
}
