import { requireEndpoint } from '../discovery.js';
import { postToEndpoint } from '../http.js';
import type { ProviderConfig } from '../provider.js';
import { redactError } from '../redact.js';
import { type TokenSet, tokenSetFromResponse } from '../token-set.js';

/** The refresh token an unusable token response carried, by the error it was refused with. */
const refreshTokensOfRefusedResponses = new WeakMap<object, string>();

/**
 * The refresh token a token response carried although the response was refused (an access token
 * with forbidden characters, an unknown `token_type`, a malformed field). The server may have
 * rotated the refresh token with that response: then it is the only one still valid, and the token
 * manager stores it before it throws `error`. It is kept beside the error, never in it, so no
 * message, field or JSON of the error holds it.
 *
 * @internal used by the token manager.
 */
export function refreshTokenOfRefusedResponse(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? refreshTokensOfRefusedResponses.get(error) : undefined;
}

/**
 * What every grant shares (RFC 6749 §4–6): POSTs `fields` to the provider's token endpoint
 * (discovered when only an issuer is known), authenticating the client, and reads the answer as a
 * {@link TokenSet}, accepting the provider's `tokenTypes`. An error about the answer is free of the
 * request's secrets and of the tokens the answer held.
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
    return tokenSetFromResponse(body, Date.now(), { tokenTypes: resolved.tokenTypes });
  } catch (error) {
    const sent = [body.access_token, body.refresh_token, body.id_token].filter(
      (value): value is string => typeof value === 'string',
    );
    const refused = redactError(error, [...secrets, ...sent]);
    const refreshToken = body.refresh_token;
    if (typeof refreshToken === 'string' && refreshToken !== '' && typeof refused === 'object' && refused)
      refreshTokensOfRefusedResponses.set(refused, refreshToken);
    throw refused;
  }
}
