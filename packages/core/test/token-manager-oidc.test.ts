import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type AuthorizerError,
  FileTokenStore,
  MemoryTokenStore,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_HTTP_ERROR,
  OAUTH_NETWORK_ERROR,
  refreshTokens,
  TokenManager,
} from '@oauth-authorizer/core';
import { authorizeTestAccount, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from './authorization-server-fixture.js';
import { rejection } from './token-fixtures.js';

// Against a real oidc-provider with refresh-token rotation: reusing a rotated refresh token gives
// invalid_grant and revokes the whole grant there, so a lost or doubly used token shows.

const fixture = useAuthorizationServer('token-manager-oidc-');
const closers: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const proxy = createServer(handler);
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  closers.push(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return { server: proxy, url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
}

describe('TokenManager against oidc-provider', () => {
  it('sends exactly one token request for 1,000 concurrent getAccessToken() calls with an expired token', async () => {
    const { server } = fixture;
    const account = 'concurrent@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const store = new MemoryTokenStore([{ account, tokens: expiredTokens(tokens) }]);
    const manager = new TokenManager({ account, store, provider: nativeProvider(server) });
    const before = server.countTokenRequests('refresh_token');
    const results = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    expect(new Set(results).size).toBe(1);
    const introspection = await server.introspect(results[0] as string);
    expect(introspection).toMatchObject({ active: true, email: account });
    // The stored refresh token is the rotated one, and the server still accepts it.
    const stored = (await store.get(account))?.tokens;
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
  });

  it('marks the account and throws OAUTH_AUTHORIZATION_REQUIRED when the server answers invalid_grant', async () => {
    const { server, root } = fixture;
    const account = 'rejected@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const store = new FileTokenStore({ directory: join(root, 'rejected') });
    await store.set({ account, tokens: expiredTokens(tokens) });
    // Someone used the refresh token behind the store's back: the stored one is now rotated away.
    await refreshTokens(nativeProvider(server), tokens.refreshToken as string);
    const manager = new TokenManager({ account, store, provider: nativeProvider(server) });
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(error.message).toContain('invalid_grant');
    expect(error.message).not.toContain(tokens.refreshToken as string);
    expect(server.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', error: 'invalid_grant' });
    const record = await store.get(account);
    expect(record?.authorizationRequired?.reason).toMatch(/^invalid_grant/);
    expect(record?.tokens?.refreshToken).toBe(tokens.refreshToken);
    const requests = server.countTokenRequests();
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(server.countTokenRequests()).toBe(requests);
  });

  it('succeeds after retries when the token endpoint answers 503 twice, then 200', async () => {
    const { server } = fixture;
    const account = 'unavailable@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const target = new URL(server.endpoints.token);
    let tokenCalls = 0;
    const proxy = await listen((req, res) => {
      tokenCalls += 1;
      if (tokenCalls <= 2) {
        req.resume();
        res
          .writeHead(503, { 'content-type': 'text/html' })
          .end('<html><body>Service Unavailable</body></html>');
        return;
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    const store = new MemoryTokenStore([{ account, tokens: expiredTokens(tokens) }]);
    const manager = new TokenManager({
      account,
      store,
      provider: { ...nativeProvider(server), tokenUrl: `${proxy.url}/token` },
      retry: { baseDelay: 20 },
    });
    const attempts: Array<[number, boolean, string | undefined]> = [];
    manager.on('refresh', ({ attempt, ok, error }) =>
      attempts.push([attempt, ok, (error as AuthorizerError | undefined)?.code]),
    );
    const before = server.countTokenRequests('refresh_token');
    const token = await manager.getAccessToken();
    expect(attempts).toEqual([
      [1, false, OAUTH_HTTP_ERROR],
      [2, false, OAUTH_HTTP_ERROR],
      [3, true, undefined],
    ]);
    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    expect((await server.introspect(token)).active).toBe(true);
  });

  it('throws the transient error and leaves the stored tokens untouched when the server is down', async () => {
    const { server, root } = fixture;
    const account = 'down@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const closed = await listen(() => undefined);
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const store = new FileTokenStore({ directory: join(root, 'down') });
    await store.set({ account, tokens: expiredTokens(tokens) });
    const before = await readFile(store.pathOf(account), 'utf8');
    const manager = new TokenManager({
      account,
      store,
      provider: { ...nativeProvider(server), tokenUrl: `${closed.url}/token` },
      retry: { retries: 2, baseDelay: 10 },
    });
    let attempts = 0;
    manager.on('refresh', () => {
      attempts += 1;
    });
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_NETWORK_ERROR);
    expect(error.transient).toBe(true);
    expect(attempts).toBe(3);
    // The record is the same but for the note of the failed refresh, which `status` shows: the
    // tokens are untouched.
    const after = JSON.parse(await readFile(store.pathOf(account), 'utf8')) as Record<string, unknown>;
    const { last_refresh_error: note, ...unchanged } = after;
    expect(unchanged).toEqual(JSON.parse(before));
    expect(note).toMatchObject({ code: OAUTH_NETWORK_ERROR });
    // Nothing was lost: the stored refresh token still works once the server is back.
    const again = new TokenManager({ account, store, provider: nativeProvider(server) });
    expect((await server.introspect(await again.getAccessToken())).active).toBe(true);
  });
});
