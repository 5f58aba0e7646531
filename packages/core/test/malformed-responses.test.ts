import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuthorizerError,
  OAUTH_ERROR_RESPONSE,
  OAUTH_HTTP_ERROR,
  OAUTH_INSECURE_ENDPOINT,
  OAUTH_INVALID_RESPONSE,
  OAUTH_NETWORK_ERROR,
  OAUTH_RESPONSE_TOO_LARGE,
  OAUTH_TIMEOUT,
  OAuthResponseError,
  type ProviderConfig,
  refreshTokens,
  requestClientCredentials,
  revokeToken,
  startDeviceAuthorization,
  tokenSetFromJSON,
  tokenSetFromResponse,
  tokenSetToJSON,
} from '@oauth-authorizer/core';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ORIGIN = 'https://auth.example.test';
const REFRESH_TOKEN = 'rt-SECRET-refresh-token-0123456789';
const CLIENT_SECRET = 'cs-SECRET-client-secret-0123456789';
const ACCESS_TOKEN = 'at-SECRET-access-token-0123456789';

let agent: MockAgent;
let provider: ProviderConfig;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  provider = {
    clientId: 'client',
    clientSecret: CLIENT_SECRET,
    tokenUrl: `${ORIGIN}/token`,
    deviceAuthorizationUrl: `${ORIGIN}/device`,
    revocationUrl: `${ORIGIN}/revoke`,
    http: { dispatcher: agent, timeout: 500, maxResponseSize: 4096 },
  };
});
afterEach(async () => {
  await agent.close();
});

/** The mocked token endpoint, for one answer. */
function tokenEndpoint() {
  return agent.get(ORIGIN).intercept({ path: '/token', method: 'POST' });
}

function reply(status: number, body: string | object, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/plain' : 'application/json';
  tokenEndpoint().reply(status, text, { headers: { 'content-type': contentType, ...headers } });
}

async function refreshError(): Promise<AuthorizerError> {
  const error = await refreshTokens(provider, REFRESH_TOKEN).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthorizerError);
  const message = `${(error as Error).message} ${JSON.stringify(error)}`;
  for (const secret of [REFRESH_TOKEN, CLIENT_SECRET, ACCESS_TOKEN]) expect(message).not.toContain(secret);
  return error as AuthorizerError;
}

describe('token responses', () => {
  it('accepts a numeric-string expires_in', async () => {
    reply(200, { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: '3599' });
    const before = Date.now();
    const tokens = await refreshTokens(provider, REFRESH_TOKEN);
    expect(tokens.expiresAt! - before).toBeGreaterThanOrEqual(3599_000);
    expect(tokens.refreshToken).toBe(REFRESH_TOKEN);
  });

  it('dates a refresh token the response carries (refreshTokenObtainedAt) and keeps it through JSON', () => {
    const tokens = tokenSetFromResponse(
      { access_token: ACCESS_TOKEN, refresh_token: 'rt-1234' },
      1_700_000_000_000,
    );
    expect(tokens.refreshTokenObtainedAt).toBe(1_700_000_000_000);
    const json = tokenSetToJSON(tokens);
    expect(json.refresh_token_obtained_at).toBe('2023-11-14T22:13:20.000Z');
    expect(tokenSetFromJSON(JSON.parse(JSON.stringify(json)))).toEqual(tokens);
    expect(tokenSetFromResponse({ access_token: ACCESS_TOKEN }).refreshTokenObtainedAt).toBeUndefined();
  });

  it('keeps extra fields and makes refresh_token_expires_in absolute', async () => {
    reply(200, {
      access_token: ACCESS_TOKEN,
      expires_in: 60,
      refresh_token_expires_in: 7200,
      ext_expires_in: 60,
      foo: 'bar',
    });
    const tokens = await refreshTokens(provider, REFRESH_TOKEN);
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.refreshTokenExpiresAt).toBeGreaterThan(Date.now() + 7000_000);
    expect(tokens.extra).toEqual({ ext_expires_in: 60, foo: 'bar' });
    expect(tokenSetFromJSON(JSON.parse(JSON.stringify(tokenSetToJSON(tokens))))).toEqual(tokens);
  });

  it.each([
    [
      'garbage expires_in',
      { access_token: ACCESS_TOKEN, expires_in: 'soon' },
      /"expires_in" must be a number, got "soon"/,
    ],
    ['negative expires_in', { access_token: ACCESS_TOKEN, expires_in: -5 }, /"expires_in" must be a number/],
    ['missing access_token', { token_type: 'Bearer', expires_in: 5 }, /no "access_token"/],
    ['numeric access_token', { access_token: 42 }, /"access_token" must be a non-empty string, got number/],
    [
      'numeric refresh_token',
      { access_token: ACCESS_TOKEN, refresh_token: 7 },
      /"refresh_token" must be a string/,
    ],
    ['array scope', { access_token: ACCESS_TOKEN, scope: ['a'] }, /"scope" must be a string/],
  ])('%s → OAUTH_INVALID_RESPONSE naming the field', async (_name, body, message) => {
    reply(200, body);
    const error = await refreshError();
    expect(error.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['a non-JSON body', 200, 'this is not json', /not a JSON object/],
    ['an empty body', 200, '', /an empty body/],
    ['a JSON array', 200, '[1,2]', /a JSON array/],
    ['broken JSON', 200, '{"access_token": ', /not a JSON object/],
  ])('%s → OAUTH_INVALID_RESPONSE', async (_name, status, body, message) => {
    reply(status, body);
    const error = await refreshError();
    expect(error.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(error.message).toMatch(message);
  });

  it('an HTML error page → OAUTH_HTTP_ERROR, transient for 502', async () => {
    reply(502, '<!DOCTYPE html><html><body>Bad gateway</body></html>', { 'content-type': 'text/html' });
    const error = await refreshError();
    expect(error.code).toBe(OAUTH_HTTP_ERROR);
    expect(error.message).toMatch(/HTTP 502 with an HTML page/);
    expect(error.transient).toBe(true);
  });

  it('an HTML page with status 200 → OAUTH_INVALID_RESPONSE', async () => {
    reply(200, '<html><body>Login</body></html>', { 'content-type': 'text/html' });
    expect((await refreshError()).code).toBe(OAUTH_INVALID_RESPONSE);
  });

  it('an OAuth error body → OAuthResponseError with error, description, uri and status', async () => {
    reply(400, {
      error: 'invalid_grant',
      error_description: 'AADSTS70008: expired',
      error_uri: 'https://e.example/x',
    });
    const error = (await refreshError()) as OAuthResponseError;
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error.code).toBe(OAUTH_ERROR_RESPONSE);
    expect(error).toMatchObject({
      error: 'invalid_grant',
      errorDescription: 'AADSTS70008: expired',
      status: 400,
    });
    expect(error.errorUri).toBe('https://e.example/x');
    expect(error.message).toContain('AADSTS70008');
    expect(error.transient).toBe(false);
  });

  it('an error description that echoes the refresh token is redacted', async () => {
    reply(400, { error: 'invalid_grant', error_description: `token ${REFRESH_TOKEN} is unknown` });
    const error = (await refreshError()) as OAuthResponseError;
    expect(error.errorDescription).toBe('token [redacted] is unknown');
  });

  it('an OAuth error body with status 200 (as GitHub sends) is still an error', async () => {
    reply(200, { error: 'bad_verification_code' });
    expect(((await refreshError()) as OAuthResponseError).error).toBe('bad_verification_code');
  });

  it('a form-encoded answer (GitHub without Accept) is read', async () => {
    reply(200, `access_token=${ACCESS_TOKEN}&token_type=bearer&scope=repo`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect((await refreshTokens(provider, REFRESH_TOKEN)).scope).toBe('repo');
  });

  it('429 with Retry-After is transient and says when to retry', async () => {
    reply(429, 'slow down', { 'retry-after': '7' });
    const error = await refreshError();
    expect(error).toMatchObject({ code: OAUTH_HTTP_ERROR, transient: true, retryAfter: 7 });
  });

  it('an oversized body → OAUTH_RESPONSE_TOO_LARGE', async () => {
    reply(200, { access_token: ACCESS_TOKEN, padding: 'x'.repeat(10_000) });
    expect((await refreshError()).code).toBe(OAUTH_RESPONSE_TOO_LARGE);
  });

  it('a server that does not answer in time → OAUTH_TIMEOUT, transient', async () => {
    tokenEndpoint().reply(200, { access_token: ACCESS_TOKEN }).delay(2000);
    const error = await refreshError();
    expect(error).toMatchObject({ code: OAUTH_TIMEOUT, transient: true });
  });

  it('a connection error → OAUTH_NETWORK_ERROR, transient', async () => {
    tokenEndpoint().replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const error = await refreshError();
    expect(error).toMatchObject({ code: OAUTH_NETWORK_ERROR, transient: true });
  });

  it('a connection reset by a real server → OAUTH_NETWORK_ERROR', async () => {
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await refreshTokens(
        { clientId: 'c', tokenUrl: `http://127.0.0.1:${port}/token` },
        REFRESH_TOKEN,
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: OAUTH_NETWORK_ERROR, transient: true });
    } finally {
      server.close();
    }
  });

  it('an aborted request → OAUTH_ABORTED', async () => {
    tokenEndpoint().reply(200, { access_token: ACCESS_TOKEN }).delay(300);
    const controller = new AbortController();
    const pending = refreshTokens(provider, REFRESH_TOKEN, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
  });

  it('sends the client secret with HTTP Basic by default, in the form with client_secret_post', async () => {
    let seen: { headers: Record<string, string>; body: string } | undefined;
    tokenEndpoint().reply(200, (options) => {
      seen = { headers: options.headers as Record<string, string>, body: String(options.body) };
      return { access_token: ACCESS_TOKEN };
    });
    await refreshTokens(provider, REFRESH_TOKEN);
    expect(seen?.headers.authorization).toBe(
      `Basic ${Buffer.from(`client:${CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(seen?.body).not.toContain('client_secret');
    tokenEndpoint().reply(200, (options) => {
      seen = { headers: options.headers as Record<string, string>, body: String(options.body) };
      return { access_token: ACCESS_TOKEN };
    });
    await refreshTokens({ ...provider, clientAuth: 'client_secret_post' }, REFRESH_TOKEN);
    expect(new URLSearchParams(seen?.body).get('client_secret')).toBe(CLIENT_SECRET);
    expect(seen?.headers.authorization).toBeUndefined();
  });
});

describe('endpoints and other grants', () => {
  it('refuses http: endpoints that are not loopback', async () => {
    const error = await refreshTokens(
      { clientId: 'c', tokenUrl: 'http://auth.example.test/token' },
      REFRESH_TOKEN,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: OAUTH_INSECURE_ENDPOINT });
  });

  it('client credentials without a secret is a configuration error', async () => {
    await expect(
      requestClientCredentials({ clientId: 'c', tokenUrl: `${ORIGIN}/token` }),
    ).rejects.toMatchObject({
      code: 'OAUTH_INVALID_CONFIGURATION',
    });
  });

  it('revocation accepts an empty 200', async () => {
    agent.get(ORIGIN).intercept({ path: '/revoke', method: 'POST' }).reply(200, '');
    await expect(revokeToken(provider, REFRESH_TOKEN)).resolves.toBeUndefined();
  });

  it('a device authorization response without user_code → OAUTH_INVALID_RESPONSE', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/device', method: 'POST' })
      .reply(
        200,
        { device_code: 'd', verification_uri: 'https://x', expires_in: 600 },
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    await expect(startDeviceAuthorization(provider)).rejects.toMatchObject({
      code: OAUTH_INVALID_RESPONSE,
      message: expect.stringContaining('"user_code"'),
    });
  });

  it("accepts Google's verification_url and a missing interval (default 5 s)", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/device', method: 'POST' })
      .reply(
        200,
        {
          device_code: 'd',
          user_code: 'U',
          verification_url: 'https://g.example/device',
          expires_in: '1800',
        },
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    await expect(startDeviceAuthorization(provider)).resolves.toMatchObject({
      verificationUri: 'https://g.example/device',
      interval: 5,
    });
  });

  it('tokenSetFromResponse() rejects a non-object', () => {
    expect(() => tokenSetFromResponse('x')).toThrow(
      expect.objectContaining({ code: OAUTH_INVALID_RESPONSE }),
    );
  });
});
