import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  type ProviderConfig,
  type TokenSet,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import { type AuthorizationServer, clients, signIn } from '@oauth-authorizer/test-servers';

/** Scopes that make oidc-provider issue a refresh token (with `prompt=consent`, which core adds). */
export const OFFLINE_SCOPES = ['openid', 'offline_access', 'email', 'mail'];

/** The test server's native public client as a core provider (PKCE, no secret). */
export function nativeProvider(
  server: AuthorizationServer,
  tokenUrl = server.endpoints.token,
): ProviderConfig {
  return {
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    tokenUrl,
    clientId: clients.native.clientId,
    scopes: OFFLINE_SCOPES,
    issuerInAuthorizationResponse: true,
  };
}

/**
 * Runs the authorization code flow against the test server as a person would (login and consent
 * driven over HTTP) and returns the tokens, refresh token included.
 */
export async function authorizeAccount(server: AuthorizationServer, login: string): Promise<TokenSet> {
  const provider = nativeProvider(server);
  // No listener needed: signIn stops at the redirect to the client, whatever its port.
  const request = createAuthorizationRequest(provider, { redirectUri: 'http://127.0.0.1:49152/callback' });
  const redirect = await signIn(request.url, { login });
  const tokens = await exchangeAuthorizationCode(
    provider,
    request,
    validateAuthorizationResponse(provider, request, redirect),
  );
  if (!tokens.refreshToken) throw new Error('the test server issued no refresh token');
  return tokens;
}

/** The same tokens, but the client believes the access token expired a minute ago. */
export function expired(tokens: TokenSet): TokenSet {
  const now = Date.now();
  return { ...tokens, obtainedAt: now - 3_660_000, expiresAt: now - 60_000 };
}
