import { refreshTokens, TokenManager } from '@oauth-authorizer/core';
import { RedisTokenStore } from '@oauth-authorizer/store-redis';
import {
  type AuthorizationServer,
  authorizeTestAccount,
  clients,
  nativeProvider,
  type RedisServer,
  startAuthorizationServer,
  startRedis,
} from '@oauth-authorizer/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expired } from './token-fixtures.js';
import { requireBuiltPackages, startWorker, type Worker } from './workers/spawn-worker.js';

// A process holding the account's lock dies with SIGKILL in the middle of a refresh (before its
// request left): the lock must not block the account for longer than its lease, and the process
// that takes over must refresh once, with the refresh token the dead one never got to use.

const LEASE = 2_000;

let redis: RedisServer;
let server: AuthorizationServer;
let raw: Redis;
const stores: RedisTokenStore[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  requireBuiltPackages();
  [redis, server] = await Promise.all([startRedis(), startAuthorizationServer()]);
  raw = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  await Promise.all(stores.map((store) => store.close()));
  raw?.disconnect();
  await Promise.all([redis?.close(), server?.close()]);
});

describe('a Redis lock holder killed with SIGKILL mid-refresh', () => {
  it('is taken over by another process once its lease ends, with one refresh and a working token', async () => {
    const account = 'killed@example.test';
    const store = new RedisTokenStore({ redis: redis.url, keyPrefix: 'killed:', lockLease: LEASE });
    stores.push(store);
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expired(initial) });

    const holder = startWorker('slow-refresh.mjs', [
      redis.url,
      'killed:',
      account,
      server.endpoints.token,
      clients.native.clientId,
      String(LEASE),
    ]);
    workers.push(holder);
    await holder.waitFor((line) => line === 'refreshing');
    expect(await raw.exists(store.lockKey(account))).toBe(1);
    await holder.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    const before = server.countTokenRequests('refresh_token');
    const killedAt = Date.now();

    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      lockTimeout: 10_000,
    });
    const token = await manager.getAccessToken();
    const waited = Date.now() - killedAt;

    // The dead holder renewed every LEASE/3, so at least two thirds of a lease were left.
    expect(waited).toBeGreaterThanOrEqual(LEASE / 2);
    expect(waited).toBeLessThan(LEASE + 3_000);
    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    expect(await server.introspect(token)).toMatchObject({ active: true, email: account });
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).not.toBe(initial.refreshToken);
    const next = await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
  });
});
