import { type AuthorizationServer, clients, startAuthorizationServer } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeWithCli } from './authorize-with-cli.js';
import {
  builtProgram,
  createExampleHome,
  type ExampleHome,
  leakedTokens,
  revokeAccessTokenOnly,
  revokeGrant,
  runExample,
  seedAccount,
  storedTokens,
} from './example-home.js';
import { type ProtectedApi, startProtectedApi } from './protected-api.js';

const main = builtProgram(import.meta.url);

let server: AuthorizationServer;
let api: ProtectedApi;
let home: ExampleHome;

beforeAll(async () => {
  server = await startAuthorizationServer();
  api = await startProtectedApi(server);
  // An API-only provider: a preset without mail servers.
  home = await createExampleHome(server);
});
afterAll(async () => {
  await api?.close();
  await server?.close();
  await home?.remove();
});
beforeEach(() => {
  api.requests.length = 0;
});

function environment(
  login: string,
  path: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    OAUTH_AUTHORIZER_HOME: home.directory,
    ACCOUNT: login,
    PRESET: home.presetFile,
    CLIENT_ID: clients.native.clientId,
    API_URL: `${api.url}${path}`,
    ...extra,
  };
}

const refreshRequests = () => server.countTokenRequests('refresh_token');
const seenByApi = () =>
  api.requests.map(({ method, path, active, status }) => ({ method, path, active, status }));

describe('call-api', () => {
  it('calls the API with the stored token and prints the response body', async () => {
    const login = 'caller@example.test';
    const seeded = await seedAccount(home, server, login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/me'));

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: login, scope: 'mail' });
    expect(run.stderr).toBe(`call-api: GET ${api.url}/me: HTTP 200 OK\n`);
    expect(seenByApi()).toEqual([{ method: 'GET', path: '/me', active: true, status: 200 }]);
    expect(refreshRequests()).toBe(refreshesBefore);
    expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
  });

  it('refreshes an expired token before the call, so the API never sees the old one', async () => {
    const login = 'expired@example.test';
    const seeded = await seedAccount(home, server, login, { expired: true });
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/me'));

    expect(run.status).toBe(0);
    expect(seenByApi()).toEqual([{ method: 'GET', path: '/me', active: true, status: 200 }]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect((await storedTokens(home, login)).refreshToken).not.toBe(seeded.refreshToken);
  });

  it('recovers from a token revoked at the server with exactly one forced refresh and one retry', async () => {
    const login = 'revoked-token@example.test';
    const seeded = await seedAccount(home, server, login);
    await revokeAccessTokenOnly(server, seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/me'));

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
      `call-api: GET ${api.url}/me: HTTP 200 OK`,
      '',
    ]);
    const stored = await storedTokens(home, login);
    expect(stored.accessToken).not.toBe(seeded.accessToken);
    expect((await server.introspect(stored.refreshToken ?? '')).active).toBe(true);
    expect(leakedTokens(run.stdout + run.stderr, [seeded, stored])).toEqual([]);
  });

  it('sends API_METHOD and API_BODY again on the retry', async () => {
    const login = 'writer@example.test';
    const seeded = await seedAccount(home, server, login);
    await revokeAccessTokenOnly(server, seeded.accessToken);
    const note = JSON.stringify({ text: 'Buy milk' });

    const run = await runExample(
      main,
      home,
      environment(login, '/notes', { API_METHOD: 'post', API_BODY: note }),
    );

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ saved: { text: 'Buy milk' }, by: login });
    expect(api.requests.map(({ method, body, status }) => ({ method, body, status }))).toEqual([
      { method: 'POST', body: note, status: 401 },
      { method: 'POST', body: note, status: 201 },
    ]);
  });

  it('exits 3 with OAUTH_AUTHORIZATION_REQUIRED when the grant was revoked, without calling the API again', async () => {
    const login = 'revoked-grant@example.test';
    const seeded = await seedAccount(home, server, login);
    await revokeGrant(server, seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/me'));

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
    await seedAccount(home, server, login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/elsewhere'));

    expect(run.status).toBe(3);
    expect(run.stderr).toContain(
      `call-api: ${api.url}/elsewhere rejected the access token again after a refresh: HTTP 401 (Bearer realm="notes", error="invalid_token"`,
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
    await seedAccount(home, server, login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, '/broken'));

    expect(run.status).toBe(4);
    expect(run.stderr).toContain(
      `call-api: GET ${api.url}/broken answered HTTP 503: {"error":"maintenance"} [CALL_API_HTTP_ERROR]`,
    );
    expect(api.requests).toHaveLength(1);
    expect(refreshRequests()).toBe(refreshesBefore);
  });

  it('works on an account the CLI authorized with the custom preset, from ACCOUNT and API_URL alone', async () => {
    const login = 'custom@example.test';
    const status = await authorizeWithCli(home.directory, login, [
      '--preset',
      'custom',
      '--client-id',
      clients.native.clientId,
      '--auth-url',
      server.endpoints.authorization,
      '--token-url',
      server.endpoints.token,
      '--scope',
      'openid offline_access email mail',
    ]);
    expect(status).toBe(0);
    // Expired, so the example must refresh at the token URL the CLI saved.
    const stored = await storedTokens(home, login);
    const record = await home.store.get(login);
    await home.store.set({ ...record, account: login, tokens: { ...stored, expiresAt: Date.now() - 1000 } });
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, {
      OAUTH_AUTHORIZER_HOME: home.directory,
      ACCOUNT: login,
      API_URL: `${api.url}/me`,
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
    const run = await runExample(main, home, { ...environment('caller@example.test', '/me'), ...override });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(text);
    expect(run.stderr).toContain(`[${code}]`);
    expect(api.requests).toEqual([]);
  });
});
