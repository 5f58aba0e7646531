import {
  AuthorizationResponseError,
  type AuthorizerError,
  authorizeWithCode,
  authorizeWithDeviceCode,
  createAuthorizationRequest,
  type DevicePollEvent,
  discover,
  exchangeAuthorizationCode,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_DEVICE_CODE_EXPIRED,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_STATE_MISMATCH,
  OAuthResponseError,
  type ProviderConfig,
  pollDeviceAuthorization,
  type RedirectReceiver,
  refreshTokens,
  requestClientCredentials,
  resolveProvider,
  revokeToken,
  startDeviceAuthorization,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  approveDeviceCode,
  clients,
  nativeProvider,
  OFFLINE_SCOPES,
  signIn,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:8765/callback';

let server: AuthorizationServer;

beforeAll(async () => {
  server = await startAuthorizationServer({ deviceInterval: 1 });
});
afterAll(async () => {
  await server?.close();
});

function provider(
  client: { clientId: string; clientSecret?: string },
  extra: Partial<ProviderConfig> = {},
): ProviderConfig {
  return { ...nativeProvider(server), ...client, ...extra };
}

async function codeFlow(config: ProviderConfig, login = 'alice@example.test') {
  const request = createAuthorizationRequest(config, { redirectUri: REDIRECT });
  const redirect = await signIn(request.url, { login });
  const response = validateAuthorizationResponse(config, request, redirect);
  return exchangeAuthorizationCode(config, request, response);
}

/** A receiver for tests without the listener package: the "browser" hands the redirect straight over. */
function directReceiver(): RedirectReceiver & { deliver(url: string): void; closed: boolean } {
  let deliver: (url: string) => void = () => {};
  const received = new Promise<URL>((resolve) => {
    deliver = (url) => resolve(new URL(url));
  });
  return {
    redirectUri: REDIRECT,
    closed: false,
    deliver: (url) => deliver(url),
    waitForCallback: () => received,
    async close() {
      this.closed = true;
    },
  };
}

describe('authorization code flow', () => {
  it('createAuthorizationRequest() sends PKCE S256, a 256-bit state, a nonce with openid, and prompt=consent for offline_access', () => {
    const request = createAuthorizationRequest(provider(clients.native), {
      redirectUri: REDIRECT,
      loginHint: 'a@b.c',
    });
    const url = new URL(request.url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe(request.state);
    expect(Buffer.from(request.state, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(url.searchParams.get('nonce')).toBe(request.nonce);
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('login_hint')).toBe('a@b.c');
    expect(url.searchParams.get('scope')).toBe(OFFLINE_SCOPES.join(' '));
    const second = createAuthorizationRequest(provider(clients.native), { redirectUri: REDIRECT });
    expect(second.state).not.toBe(request.state);
    expect(second.codeVerifier).not.toBe(request.codeVerifier);
  });

  it('extra parameters cannot replace state, PKCE or the redirect URI', () => {
    const request = createAuthorizationRequest(provider(clients.native), {
      redirectUri: REDIRECT,
      params: {
        state: 'fixed',
        code_challenge: 'x',
        redirect_uri: 'https://evil.example/',
        access_type: 'offline',
      },
    });
    const url = new URL(request.url);
    expect(url.searchParams.get('state')).toBe(request.state);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('code_challenge')).not.toBe('x');
    expect(url.searchParams.get('access_type')).toBe('offline');
  });

  it('a public client gets access, refresh and ID tokens with PKCE', async () => {
    const tokens = await codeFlow(provider(clients.native));
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.idToken).toBeTruthy();
    expect(tokens.scope).toContain('mail');
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
    const introspection = await server.introspect(tokens.accessToken);
    expect(introspection).toMatchObject({
      active: true,
      email: 'alice@example.test',
      client_id: clients.native.clientId,
    });
  });

  it.each([
    ['client_secret_basic', clients.basic],
    ['client_secret_post', clients.post],
  ] as const)('a confidential client authenticates with %s', async (method, client) => {
    const tokens = await codeFlow(provider(client, { clientAuth: method }));
    expect((await server.introspect(tokens.accessToken)).client_id).toBe(client.clientId);
  });

  it('a wrong client secret is an OAuth error without the secret in the message', async () => {
    const config = provider({ clientId: clients.basic.clientId, clientSecret: 'wrong-secret-value-123' });
    const error = await codeFlow(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect((error as OAuthResponseError).error).toBe('invalid_client');
    expect(String((error as Error).message)).not.toContain('wrong-secret-value-123');
  });

  it('authorizeWithCode() opens the URL, waits for the redirect, exchanges the code and closes the receiver', async () => {
    const receiver = directReceiver();
    const tokens = await authorizeWithCode(provider(clients.native), {
      receiver,
      userAgent: {
        openUrl: async (url) => receiver.deliver(await signIn(url, { login: 'carol@example.test' })),
      },
    });
    expect((await server.introspect(tokens.accessToken)).email).toBe('carol@example.test');
    expect(receiver.closed).toBe(true);
  });

  it('authorizeWithCode() with only an issuer discovers the endpoints', async () => {
    const receiver = directReceiver();
    const tokens = await authorizeWithCode(
      { issuer: server.issuer, clientId: clients.native.clientId, scopes: OFFLINE_SCOPES },
      { receiver, userAgent: { openUrl: async (url) => receiver.deliver(await signIn(url)) } },
    );
    expect(tokens.refreshToken).toBeTruthy();
  });

  it('a denied consent ends with OAUTH_AUTHORIZATION_DENIED', async () => {
    const config = provider(clients.native);
    const request = createAuthorizationRequest(config, { redirectUri: REDIRECT });
    const redirect = await signIn(request.url, { deny: true });
    const error = (() => {
      try {
        validateAuthorizationResponse(config, request, redirect);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect((error as AuthorizerError).code).toBe(OAUTH_AUTHORIZATION_DENIED);
    expect((error as AuthorizationResponseError).error).toBe('access_denied');
  });

  it('a redirect with another state or another issuer is refused, and the code is never exchanged', async () => {
    const config = provider(clients.native);
    const request = createAuthorizationRequest(config, { redirectUri: REDIRECT });
    const redirect = new URL(await signIn(request.url));
    const wrongState = new URL(redirect);
    wrongState.searchParams.set('state', 'someone-else');
    expect(() => validateAuthorizationResponse(config, request, wrongState)).toThrow(
      expect.objectContaining({ code: OAUTH_STATE_MISMATCH }),
    );
    const wrongIssuer = new URL(redirect);
    wrongIssuer.searchParams.set('iss', 'https://attacker.example');
    expect(() => validateAuthorizationResponse(config, request, wrongIssuer)).toThrow(
      expect.objectContaining({ code: OAUTH_ISSUER_MISMATCH }),
    );
    const noIssuer = new URL(redirect);
    noIssuer.searchParams.delete('iss');
    expect(() => validateAuthorizationResponse(config, request, noIssuer)).toThrow(
      expect.objectContaining({ code: OAUTH_ISSUER_MISMATCH }),
    );
    // The untouched redirect, pasted as text, still works.
    const tokens = await exchangeAuthorizationCode(
      config,
      request,
      validateAuthorizationResponse(config, request, redirect.href),
    );
    expect(tokens.accessToken).toBeTruthy();
  });

  it('replaying a code fails as the server says', async () => {
    const config = provider(clients.native);
    const request = createAuthorizationRequest(config, { redirectUri: REDIRECT });
    const response = validateAuthorizationResponse(config, request, await signIn(request.url));
    await exchangeAuthorizationCode(config, request, response);
    const error = await exchangeAuthorizationCode(config, request, response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect((error as OAuthResponseError).error).toBe('invalid_grant');
  });
});

describe('device code flow', () => {
  it('polls until the user approves', async () => {
    const config = provider(clients.native);
    const polls: DevicePollEvent[] = [];
    const tokens = await authorizeWithDeviceCode(config, {
      userAgent: {
        openUrl: () => {},
        showDeviceCode: (authorization) => {
          expect(authorization.verificationUriComplete).toContain(authorization.userCode);
          void approveDeviceCode(authorization.verificationUri, authorization.userCode, {
            login: 'dave@example.test',
          });
        },
      },
      onPoll: (event) => polls.push(event),
    });
    expect(tokens.refreshToken).toBeTruthy();
    expect((await server.introspect(tokens.accessToken)).email).toBe('dave@example.test');
  });

  it('a denied device code ends with OAUTH_AUTHORIZATION_DENIED', async () => {
    const config = provider(clients.native);
    const authorization = await startDeviceAuthorization(config);
    await approveDeviceCode(authorization.verificationUri, authorization.userCode, { deny: true });
    const error = await pollDeviceAuthorization(config, authorization).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect((error as AuthorizerError).code).toBe(OAUTH_AUTHORIZATION_DENIED);
  });

  it('stops with OAUTH_DEVICE_CODE_EXPIRED when expires_in runs out', async () => {
    const short = await startAuthorizationServer({ deviceCodeTtl: 2, deviceInterval: 1 });
    try {
      const config = nativeProvider(short);
      const started = Date.now();
      const error = await authorizeWithDeviceCode(config, { userAgent: { openUrl: () => {} } }).catch(
        (e: unknown) => e,
      );
      expect((error as AuthorizerError).code).toBe(OAUTH_DEVICE_CODE_EXPIRED);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await short.close();
    }
  });

  it('adds 5 s to the interval after slow_down, for the rest of the flow', async () => {
    const slow = await startAuthorizationServer({ deviceInterval: 1, slowDownFirstPolls: 1 });
    try {
      const config = nativeProvider(slow);
      const authorization = await startDeviceAuthorization(config);
      const polls: DevicePollEvent[] = [];
      const tokens = pollDeviceAuthorization(config, authorization, {
        onPoll: (event) => {
          polls.push(event);
          if (event.status === 'slow_down')
            void approveDeviceCode(authorization.verificationUri, authorization.userCode);
        },
      });
      await expect(tokens).resolves.toMatchObject({ tokenType: 'Bearer' });
      expect(polls[0]).toMatchObject({ status: 'slow_down', interval: 6 });
      const times = slow.tokenRequests.filter((r) => r.grantType?.endsWith('device_code')).map((r) => r.at);
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(5900);
    } finally {
      await slow.close();
    }
  }, 20_000);

  it('can be cancelled with an AbortSignal', async () => {
    const config = provider(clients.native);
    const controller = new AbortController();
    const pending = authorizeWithDeviceCode(config, {
      userAgent: { openUrl: () => {} },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
  });
});

describe('refresh, client credentials, revocation, discovery', () => {
  it('refreshTokens() returns the rotated refresh token; reusing the old one fails and revokes the grant', async () => {
    const config = provider(clients.native);
    const first = await codeFlow(config);
    const second = await refreshTokens(config, first.refreshToken!);
    expect(second.refreshToken).toBeTruthy();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const reuse = await refreshTokens(config, first.refreshToken!).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(OAuthResponseError);
    expect((reuse as OAuthResponseError).error).toBe('invalid_grant');
    expect((reuse as Error).message).not.toContain(first.refreshToken!);
    // oidc-provider revokes the whole grant on reuse: the newest refresh token dies too.
    await expect(refreshTokens(config, second.refreshToken!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('requestClientCredentials() gets an app-only token', async () => {
    const config = provider(clients.service, { scopes: ['mail'] });
    const tokens = await requestClientCredentials(config);
    expect(tokens.refreshToken).toBeUndefined();
    expect(await server.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      client_id: clients.service.clientId,
    });
  });

  it('revokeToken() makes the refresh token unusable', async () => {
    const config = provider(clients.native);
    const tokens = await codeFlow(config);
    await revokeToken(config, tokens.refreshToken!, { tokenTypeHint: 'refresh_token' });
    await expect(refreshTokens(config, tokens.refreshToken!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await revokeToken(config, tokens.accessToken, { tokenTypeHint: 'access_token' });
    expect((await server.introspect(tokens.accessToken)).active).toBe(false);
  });

  it('resolveProvider() fills the endpoints from discovery and learns that the server sends iss', async () => {
    const metadata = await discover(server.issuer);
    expect(metadata.token_endpoint).toBe(server.endpoints.token);
    const resolved = await resolveProvider({ issuer: server.issuer, clientId: clients.native.clientId });
    expect(resolved).toMatchObject({
      authorizationUrl: server.endpoints.authorization,
      deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
      tokenUrl: server.endpoints.token,
      revocationUrl: server.endpoints.revocation,
      issuerInAuthorizationResponse: true,
    });
  });

  it('discovery of an issuer that publishes nothing is OAUTH_DISCOVERY_FAILED', async () => {
    await expect(discover(`${server.issuer}/nothing-here`)).rejects.toMatchObject({
      code: 'OAUTH_DISCOVERY_FAILED',
    });
  });
});
