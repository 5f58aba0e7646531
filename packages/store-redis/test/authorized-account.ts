import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  type ProviderConfig,
  type TokenSet,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import { type AuthorizationServer, clients, signIn } from '@oauth-authorizer/test-servers';

/** Scopes that make oidc-provider issue a refresh token (with the `prompt=consent` core adds). */
const OFFLINE_SCOPES = ['openid', 'offline_access', 'email', 'mail'];

/** The test server's public native client as a core provider (PKCE, no secret). */
export function nativeProvider(server: AuthorizationServer): ProviderConfig {
  return {
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    tokenUrl: server.endpoints.token,
    clientId: clients.native.clientId,
    scopes: OFFLINE_SCOPES,
    issuerInAuthorizationResponse: true,
  };
}

/** Runs the code flow against the test server (login and consent over HTTP) and returns the tokens. */
export async function authorizeAccount(server: AuthorizationServer, login: string): Promise<TokenSet> {
  const provider = nativeProvider(server);
  // signIn stops at the redirect to the client, so no listener is needed on this port.
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

/** The same tokens, but the access token expired a minute ago as far as the client knows. */
export function expired(tokens: TokenSet): TokenSet {
  const now = Date.now();
  return { ...tokens, obtainedAt: now - 3_660_000, expiresAt: now - 60_000 };
}
