import { authorizeWithCli, leakedTokens, useExample } from '@oauth-authorizer/example-support/testing';
import { clients } from '@oauth-authorizer/test-servers';
import { beforeEach, describe, expect, it } from 'vitest';
import { startProtectedApi } from './protected-api.js';

// An API-only provider: a preset without mail servers.
const example = useExample(import.meta.url, { counterparts: { api: startProtectedApi } });
const { refreshRequests, revokeAccessTokenOnly, revokeGrant, runExample, seedAccount, storedTokens } =
  example;

beforeEach(() => {
  example.api.requests.length = 0;
});

const environment = (login: string, path: string, extra: Record<string, string> = {}) =>
  example.environment(login, { API_URL: `${example.api.url}${path}`, ...extra });
const seenByApi = () =>
  example.api.requests.map(({ method, path, active, status }) => ({ method, path, active, status }));

describe('call-api', () => {
  it('calls the API with the stored token and prints the response body', async () => {
    const login = 'caller@example.test';
    const seeded = await seedAccount(login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/me'));

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: login, scope: 'mail' });
    expect(run.stderr).toBe(`call-api: GET ${example.api.url}/me: HTTP 200 OK\n`);
    expect(seenByApi()).toEqual([{ method: 'GET', path: '/me', active: true, status: 200 }]);
    expect(refreshRequests()).toBe(refreshesBefore);
    expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
  });

  it('refreshes an expired token before the call, so the API never sees the old one', async () => {
    const login = 'expired@example.test';
    const seeded = await seedAccount(login, { expired: true });
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/me'));

    expect(run.status).toBe(0);
    expect(seenByApi()).toEqual([{ method: 'GET', path: '/me', active: true, status: 200 }]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect((await storedTokens(login)).refreshToken).not.toBe(seeded.refreshToken);
  });

  it('recovers from a token revoked at the server with exactly one forced refresh and one retry', async () => {
    const login = 'revoked-token@example.test';
    const seeded = await seedAccount(login);
    await revokeAccessTokenOnly(seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/me'));

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: login, scope: 'mail' });
    expect(seenByApi()).toEqual([
      { method: 'GET', path: '/me', active: false, status: 401 },
      { method: 'GET', path: '/me', active: true, status: 200 },
    ]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr.split('\n')).toEqual([
      'call-api: the API rejected the access token (HTTP 401); refreshing once',
      'call-api: refreshed the access token (the new tokens are stored)',
      `call-api: GET ${example.api.url}/me: HTTP 200 OK`,
      '',
    ]);
    const stored = await storedTokens(login);
    expect(stored.accessToken).not.toBe(seeded.accessToken);
    expect((await example.server.introspect(stored.refreshToken ?? '')).active).toBe(true);
    expect(leakedTokens(run.stdout + run.stderr, [seeded, stored])).toEqual([]);
  });

  it('sends API_METHOD and API_BODY again on the retry', async () => {
    const login = 'writer@example.test';
    const seeded = await seedAccount(login);
    await revokeAccessTokenOnly(seeded.accessToken);
    const note = JSON.stringify({ text: 'Buy milk' });

    const run = await runExample(environment(login, '/notes', { API_METHOD: 'post', API_BODY: note }));

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ saved: { text: 'Buy milk' }, by: login });
    expect(example.api.requests.map(({ method, body, status }) => ({ method, body, status }))).toEqual([
      { method: 'POST', body: note, status: 401 },
      { method: 'POST', body: note, status: 201 },
    ]);
  });

  it('exits 3 with OAUTH_AUTHORIZATION_REQUIRED when the grant was revoked, without calling the API again', async () => {
    const login = 'revoked-grant@example.test';
    const seeded = await seedAccount(login);
    await revokeGrant(seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/me'));

    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[OAUTH_AUTHORIZATION_REQUIRED]');
    expect(run.stderr).toContain(`hint: run: oauth-authorizer authorize ${login}`);
    expect(seenByApi()).toEqual([{ method: 'GET', path: '/me', active: false, status: 401 }]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(leakedTokens(run.stderr, [seeded])).toEqual([]);
  });

  it('exits 3 with OAUTH_TOKEN_REJECTED after one refresh and one retry when the API rejects every token', async () => {
    const login = 'stranger@example.test';
    await seedAccount(login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/elsewhere'));

    expect(run.status).toBe(3);
    expect(run.stderr).toContain(
      `call-api: ${example.api.url}/elsewhere rejected the access token again after a refresh: HTTP 401 (Bearer realm="notes", error="invalid_token"`,
    );
    expect(run.stderr).toContain('[OAUTH_TOKEN_REJECTED]');
    expect(seenByApi().map(({ active, status }) => [active, status])).toEqual([
      [true, 401],
      [true, 401],
    ]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
  });

  it('exits 4 with CALL_API_HTTP_ERROR on a server error, without refreshing', async () => {
    const login = 'unlucky@example.test';
    await seedAccount(login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, '/broken'));

    expect(run.status).toBe(4);
    expect(run.stderr).toContain(
      `call-api: GET ${example.api.url}/broken answered HTTP 503: {"error":"maintenance"} [CALL_API_HTTP_ERROR]`,
    );
    expect(example.api.requests).toHaveLength(1);
    expect(refreshRequests()).toBe(refreshesBefore);
  });

  it('works on an account the CLI authorized with the custom preset, from ACCOUNT and API_URL alone', async () => {
    const login = 'custom@example.test';
    const status = await authorizeWithCli(example.home.directory, login, [
      '--preset',
      'custom',
      '--client-id',
      clients.native.clientId,
      '--auth-url',
      example.server.endpoints.authorization,
      '--token-url',
      example.server.endpoints.token,
      '--scope',
      'openid offline_access email mail',
    ]);
    expect(status).toBe(0);
    // Expired, so the example must refresh at the token URL the CLI saved.
    const stored = await storedTokens(login);
    const record = await example.home.store.get(login);
    await example.home.store.set({
      ...record,
      account: login,
      tokens: { ...stored, expiresAt: Date.now() - 1000 },
    });
    const refreshesBefore = refreshRequests();

    const run = await runExample({
      OAUTH_AUTHORIZER_HOME: example.home.directory,
      ACCOUNT: login,
      API_URL: `${example.api.url}/me`,
    });

    expect(run.stderr).toContain('call-api: refreshed the access token');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: login, scope: 'mail' });
    expect(refreshRequests()).toBe(refreshesBefore + 1);
  });

  it.each([
    ['API_URL is not set', { API_URL: '' }, 'EXAMPLE_SETTING_MISSING', 'API_URL is not set'],
    [
      'API_URL is not a URL',
      { API_URL: 'notes' },
      'EXAMPLE_SETTING_INVALID',
      'API_URL must be an absolute URL',
    ],
    [
      'API_URL would send the token in clear text to another machine',
      { API_URL: 'http://api.example.com/me' },
      'EXAMPLE_SETTING_INVALID',
      'API_URL must be https: (or http: to a loopback address), got http://api.example.com',
    ],
  ])('exits 2 without calling anything when %s', async (_case, override, code, text) => {
    const run = await runExample({ ...environment('caller@example.test', '/me'), ...override });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(text);
    expect(run.stderr).toContain(`[${code}]`);
    expect(example.api.requests).toEqual([]);
  });
});
