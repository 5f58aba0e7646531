/**
 * Shared set-up of the mail adapter tests: a real account at the test authorization server, with
 * its tokens in a real store behind a real TokenManager, and real mail servers checking them.
 */
import { inspect } from 'node:util';
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  MemoryTokenStore,
  type ProviderConfig,
  revokeToken,
  TokenManager,
  type TokenStore,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import { saslInitialResponse } from '@oauth-authorizer/mail-adapters';
import {
  type AuthorizationServer,
  clients,
  type Dovecot,
  type DovecotOptions,
  signIn,
  startDovecot,
} from '@oauth-authorizer/test-servers';

export const SCOPES = ['openid', 'offline_access', 'email', 'mail'];
const REDIRECT = 'http://127.0.0.1:8765/callback';

/**
 * The freshness margin of the tests' managers, in seconds. oidc-provider sets `exp` from a whole
 * second (`floor(now) + ttl`), so a token can die up to 1 s before the client's `expiresAt`; a
 * margin above that keeps every token the adapters use valid at the server.
 */
export const MIN_VALIDITY = 1.25;

/** The public native client of the test server, as core's provider configuration. */
export function nativeProvider(server: AuthorizationServer): ProviderConfig {
  return {
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
    issuerInAuthorizationResponse: true,
    scopes: SCOPES,
    clientId: clients.native.clientId,
  };
}

/** A signed-in account: its provider, store and token manager. */
export interface Account {
  user: string;
  provider: ProviderConfig;
  store: TokenStore;
  manager: TokenManager;
  /** When its first tokens arrived (ms). */
  authorizedAt: number;
}

/**
 * Runs the code flow for `user` (login and consent over HTTP, `prompt=consent` so a refresh token
 * is issued), stores the tokens and returns a TokenManager over them.
 */
export async function authorizeAccount(
  server: AuthorizationServer,
  user: string,
  options: { store?: TokenStore; minValidity?: number; provider?: ProviderConfig } = {},
): Promise<Account> {
  const provider = options.provider ?? nativeProvider(server);
  const request = createAuthorizationRequest(provider, {
    redirectUri: REDIRECT,
    params: { prompt: 'consent' },
  });
  const redirect = await signIn(request.url, { login: user });
  const tokens = await exchangeAuthorizationCode(
    provider,
    request,
    validateAuthorizationResponse(provider, request, redirect),
  );
  if (!tokens.refreshToken) throw new Error('the test server issued no refresh token');
  const store = options.store ?? new MemoryTokenStore();
  await store.set({ account: user, tokens });
  const manager = new TokenManager({
    account: user,
    store,
    provider,
    minValidity: options.minValidity ?? MIN_VALIDITY,
    retry: { retries: 0 },
  });
  return { user, provider, store, manager, authorizedAt: tokens.obtainedAt };
}

/**
 * Revokes the account's grant at the revocation endpoint (RFC 7009), as a user removing the app's
 * access does: oidc-provider then also revokes every token of the grant, refresh token included.
 */
export async function revokeGrant(account: Account): Promise<void> {
  await revokeToken(account.provider, await storedRefreshToken(account), { tokenTypeHint: 'refresh_token' });
}

/**
 * Makes the server forget one access token while the grant and its refresh token stay valid: the
 * token still looks valid to the client (it has not expired), but the mail server's introspection
 * says inactive. (oidc-provider's revocation endpoint would end the whole grant, so this goes to
 * its token model, as a server-side invalidation does.)
 */
export async function invalidateAccessToken(server: AuthorizationServer, token: string): Promise<void> {
  const stored = await server.provider.AccessToken.find(token);
  if (!stored) throw new Error('the access token is unknown to the server');
  await stored.destroy();
  const { active } = await server.introspect(token);
  if (active) throw new Error('the access token is still active');
}

/**
 * A token source over the account's manager whose every token — the current one, and each one a
 * refresh brings — the server has forgotten before it is handed out: for "rejected again after
 * the one retry" tests. Returns the first (already invalidated) token too.
 */
export async function everyTokenInvalidated(
  server: AuthorizationServer,
  account: Account,
): Promise<{ source: Pick<TokenManager, 'getAccessToken'>; first: string }> {
  const first = await account.manager.getAccessToken();
  await invalidateAccessToken(server, first);
  const invalidating: Promise<void>[] = [];
  account.manager.on('tokens', (tokens) => {
    invalidating.push(invalidateAccessToken(server, tokens.accessToken));
  });
  const source = {
    getAccessToken: async (options?: Parameters<TokenManager['getAccessToken']>[0]) => {
      const token = await account.manager.getAccessToken(options);
      await Promise.all(invalidating);
      return token;
    },
  };
  return { source, first };
}

/** The refresh token the account's store holds now. */
export async function storedRefreshToken(account: Account): Promise<string> {
  const record = await account.store.get(account.user);
  const refreshToken = record?.tokens?.refreshToken;
  if (!refreshToken) throw new Error('no refresh token in the store');
  return refreshToken;
}

/** Starts Dovecot checking tokens at `server` by introspection. */
export function startDovecotFor(
  server: AuthorizationServer,
  options: Omit<DovecotOptions, 'introspection'> = {},
): Promise<Dovecot> {
  const rs = clients.resourceServer;
  return startDovecot({
    ...options,
    introspection: {
      url: server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
  });
}

/** How many logins of `user` Dovecot's auth process refused (from its `auth_verbose` log). */
export function dovecotAuthFailures(dovecot: Dovecot, user: string): number {
  return dovecot
    .log()
    .split('\n')
    .filter((line) => line.includes(`oauth2(${user},`) && line.includes('oauth2 failed')).length;
}

/** A short message in RFC 5322 form, CRLF line endings. */
export function rfc5322Message(from: string, to: string, subject: string, body: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

/**
 * Asserts that an error, with everything it holds (cause chain, fields), shows none of `tokens`,
 * neither as such nor inside a SASL initial response.
 */
export function assertNoTokenIn(error: unknown, user: string, tokens: string[]): void {
  const shown = inspect(error, { depth: 8, showHidden: true });
  for (const token of tokens) {
    for (const secret of [
      token,
      saslInitialResponse('XOAUTH2', { user, token }),
      Buffer.from(`auth=Bearer ${token}`).toString('base64'),
    ]) {
      if (shown.includes(secret)) throw new Error('the error shows an access token');
    }
  }
}
