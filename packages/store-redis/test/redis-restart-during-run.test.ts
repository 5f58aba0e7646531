import {
  AuthorizerError,
  OAUTH_STORE_UNAVAILABLE,
  refreshTokens,
  TokenManager,
  type TokenSet,
} from '@oauth-authorizer/core';
import { authorizeTestAccount, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';

// Redis goes away while token managers keep asking for tokens that expire every 2 s, and comes
// back. While it is away, calls fail with a transient OAUTH_STORE_UNAVAILABLE; afterwards they
// work again, no refresh token was lost or sent twice (the server would answer invalid_grant and
// revoke the grant), and the stored refresh token still works.

const ACCESS_TOKEN_TTL = 2;

const fixture = useRedis({
  redis: { appendOnly: true },
  authorizationServer: { accessTokenTtl: ACCESS_TOKEN_TTL },
  // A short lease: a lock whose holder could not release it while Redis was down (the key is
  // persisted with its expiry) holds up the others for at most this long after the restart.
  store: { readyTimeout: 300, lockLease: 1_000 },
});
const { newStore } = fixture;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function invalidGrants(): number {
  return fixture.authorizationServer.tokenRequests.filter((request) => request.error !== undefined).length;
}

describe('TokenManager on the Redis store across a Redis restart', () => {
  it('fails only with transient OAUTH_STORE_UNAVAILABLE while Redis is down, then works on with no token lost', async () => {
    const server = fixture.authorizationServer;
    const account = 'restart@example.test';
    const seed = newStore('restart:');
    await seed.set({ account, tokens: (await authorizeTestAccount(server, account)).tokens });
    // Two managers on two connections stand for two processes of a fleet.
    const managers = [newStore('restart:'), newStore('restart:')].map(
      (store) =>
        new TokenManager({
          account,
          store,
          provider: nativeProvider(server),
          retry: { retries: 0 },
          lockTimeout: 5_000,
        }),
    );
    const errors: unknown[] = [];
    const tokensAfterRestart: string[] = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let running = true;
    const callers = managers.flatMap((manager) =>
      [0, 1].map(async () => {
        while (running) {
          try {
            const token = await manager.getAccessToken();
            if (phase === 'after') tokensAfterRestart.push(token);
          } catch (error) {
            errors.push(error);
          }
          await sleep(20);
        }
      }),
    );

    // Stop Redis right after a refresh was stored, so that it is down when the next one is due:
    // the calls meet the outage at the store, before any refresh request is sent.
    await sleep(1_500);
    await Promise.race(
      managers.map((manager) => new Promise<TokenSet>((resolve) => manager.once('tokens', resolve))),
    );
    await fixture.redis.stop();
    phase = 'down';
    await sleep(ACCESS_TOKEN_TTL * 1_000);
    await fixture.redis.start();
    phase = 'after';
    // The clients reconnect with back-off (up to 2 s) and may wait out a lease left behind: give
    // them time, but stop as soon as the calls clearly work again.
    const deadline = Date.now() + 15_000;
    while (tokensAfterRestart.length < 40 && Date.now() < deadline) await sleep(50);
    running = false;
    await Promise.all(callers);

    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthorizerError);
      expect((error as AuthorizerError).code).toBe(OAUTH_STORE_UNAVAILABLE);
      expect((error as AuthorizerError).transient).toBe(true);
    }
    expect(tokensAfterRestart.length).toBeGreaterThanOrEqual(40);
    expect(invalidGrants()).toBe(0);
    // The chain of refresh tokens is intact: a forced refresh through the store works (tokens
    // handed out earlier may have expired by now, they live 2 s) …
    const fresh = await managers[0]?.getAccessToken({ forceRefresh: true });
    expect(await server.introspect(fresh as string)).toMatchObject({ active: true, email: account });
    // … and the refresh token it stored works too.
    const stored = (await seed.get(account))?.tokens;
    const next = await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
    expect(invalidGrants()).toBe(0);
  });

  it('keeps tokens a refresh got while Redis died, and stores them once Redis is back, without refreshing again', async () => {
    const server = fixture.authorizationServer;
    const account = 'died-mid-refresh@example.test';
    // Tokens that outlive the outage, so that after it the kept tokens are still fresh and nothing
    // needs a second refresh.
    server.setAccessTokenTtl(3_600);
    const store = newStore('mid-refresh:');
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: { ...initial, expiresAt: Date.now() - 1_000 } });
    let killed = false;
    let rotated: string | undefined;
    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      retry: { retries: 0 },
      lockTimeout: 5_000,
      // Redis dies between taking the lock and storing the answer: the worst moment, since the
      // server rotates the refresh token and the new one then exists only in this process.
      refresh: async (provider, refreshToken, options) => {
        if (!killed) {
          killed = true;
          await fixture.redis.stop({ signal: 'SIGKILL' });
        }
        const tokens = await refreshTokens(provider, refreshToken, options);
        rotated ??= tokens.refreshToken;
        return tokens;
      },
    });
    const before = server.countTokenRequests('refresh_token');
    const failure = await manager.getAccessToken().catch((error: unknown) => error);
    expect((failure as AuthorizerError).code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect((failure as AuthorizerError).transient).toBe(true);
    expect(server.countTokenRequests('refresh_token') - before).toBe(1);

    await fixture.redis.start();
    let token: string | undefined;
    for (let attempt = 0; token === undefined && attempt < 50; attempt++) {
      token = await manager.getAccessToken().catch(async () => {
        await sleep(100);
        return undefined;
      });
    }
    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).toBe(rotated);
    expect(rotated).not.toBe(initial.refreshToken);
    expect(await server.introspect(token as string)).toMatchObject({ active: true, email: account });
    const next = await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
    expect(invalidGrants()).toBe(0);
  });
});
