import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  type ProviderConfig,
  type TokenSet,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import { type AuthorizationServer, clients } from './authorization-server.js';
import { signIn } from './sign-in.js';

/** Scopes that make the test server issue a refresh token and a `mail` access token. */
export const OFFLINE_SCOPES = ['openid', 'offline_access', 'email', 'mail'];

/** The test server's public native client as a core provider (PKCE, no secret, `iss` checked). */
export function nativeProvider(server: AuthorizationServer): ProviderConfig {
  return {
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
    clientId: clients.native.clientId,
    scopes: OFFLINE_SCOPES,
    issuerInAuthorizationResponse: true,
  };
}

/**
 * Authorizes `login` at the test server with core's code flow, the person's part driven over HTTP
 * by {@link signIn}, and returns the provider and the tokens (refresh token included).
 */
export async function authorizeTestAccount(
  server: AuthorizationServer,
  login: string,
  provider: ProviderConfig = nativeProvider(server),
): Promise<{ provider: ProviderConfig; tokens: TokenSet }> {
  // No listener: signIn stops at the redirect to the client, whatever its port.
  const request = createAuthorizationRequest(provider, { redirectUri: 'http://127.0.0.1:49152/callback' });
  const redirect = await signIn(request.url, { login });
  const tokens = await exchangeAuthorizationCode(
    provider,
    request,
    validateAuthorizationResponse(provider, request, redirect),
  );
  if (!tokens.refreshToken) throw new Error('the test server issued no refresh token');
  return { provider, tokens };
}

/**
 * The same tokens as far as the server is concerned, but the client believes the access token
 * expired a minute ago: the next `getAccessToken()` refreshes without waiting for a real expiry.
 *
 * @example
 * ```ts
 * const { tokens } = await authorizeTestAccount(server, 'me@example.test');
 * await store.set({ account: 'me@example.test', tokens: expiredTokens(tokens) });
 * ```
 */
export function expiredTokens(tokens: TokenSet): TokenSet {
  const now = Date.now();
  return { ...tokens, obtainedAt: now - 3_660_000, expiresAt: now - 60_000 };
}
