/**
 * The two ways a token dies early at the test authorization server: one access token forgotten
 * (the grant lives on), or the whole grant revoked (the user removed the app's access).
 *
 * @module
 */
import { revokeToken, type TokenSet } from '@oauth-authorizer/core';
import { type AuthorizationServer, clients } from '@oauth-authorizer/test-servers';

/**
 * Makes the server forget one access token while its grant and refresh token stay valid, as a
 * provider does when it revokes a token early: to the client the token still looks unexpired.
 * (oidc-provider's RFC 7009 endpoint would end the whole grant; see {@link revokeGrant}.)
 *
 * @throws {Error} When the server does not know the token, or still calls it active afterwards.
 * @example
 * ```ts
 * await revokeAccessTokenOnly(server, seeded.accessToken);
 * ```
 */
export async function revokeAccessTokenOnly(server: AuthorizationServer, token: string): Promise<void> {
  const stored = await server.provider.AccessToken.find(token);
  if (!stored) throw new Error('the access token is unknown to the server');
  await stored.destroy();
  if ((await server.introspect(token)).active) throw new Error('the access token is still active');
}

/**
 * Revokes the whole grant at the revocation endpoint (RFC 7009), as a user removing the app's access does.
 *
 * @throws {Error} When `tokens` has no refresh token.
 * @example
 * ```ts
 * await revokeGrant(server, seeded);
 * ```
 */
export async function revokeGrant(server: AuthorizationServer, tokens: TokenSet): Promise<void> {
  if (!tokens.refreshToken) throw new Error('no refresh token to revoke');
  await revokeToken(
    {
      tokenUrl: server.endpoints.token,
      revocationUrl: server.endpoints.revocation,
      clientId: clients.native.clientId,
    },
    tokens.refreshToken,
    { tokenTypeHint: 'refresh_token' },
  );
}
