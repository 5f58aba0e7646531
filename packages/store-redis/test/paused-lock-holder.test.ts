import { refreshTokens, TokenManager } from '@oauth-authorizer/core';
import { LOCK_LOST, RedisTokenStore } from '@oauth-authorizer/store-redis';
import {
  type AuthorizationServer,
  authorizeTestAccount,
  clients,
  nativeProvider,
  type RedisServer,
  startAuthorizationServer,
  startRedis,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expired } from './token-fixtures.js';
import { requireBuiltPackages, startWorker, type Worker } from './workers/spawn-worker.js';

// A lock holder frozen mid-refresh (SIGSTOP) stops renewing; its lease runs out, another process
// takes over, refreshes and stores newer tokens. When the frozen one wakes up with its own answer,
// its write must be refused, so the newer tokens stay.

const LEASE = 1_000;

let redis: RedisServer;
let server: AuthorizationServer;
let store: RedisTokenStore;
const workers: Worker[] = [];

beforeAll(async () => {
  requireBuiltPackages();
  [redis, server] = await Promise.all([startRedis(), startAuthorizationServer()]);
  store = new RedisTokenStore({ redis: redis.url, keyPrefix: 'paused:', lockLease: LEASE });
});

afterAll(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  await store?.close();
  await Promise.all([redis?.close(), server?.close()]);
});

describe('a Redis lock holder frozen past its lease', () => {
  it('cannot overwrite the tokens the process that took over stored: its write fails with REDIS_STORE_LOCK_LOST', async () => {
    const account = 'paused@example.test';
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expired(initial) });

    const frozen = startWorker('paused-holder.mjs', [
      redis.url,
      'paused:',
      account,
      server.endpoints.token,
      clients.native.clientId,
      String(LEASE),
      String(LEASE / 4),
    ]);
    workers.push(frozen);
    await frozen.waitFor((line) => line === 'refreshing');
    frozen.child.kill('SIGSTOP');

    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      lockTimeout: 10_000,
    });
    const token = await manager.getAccessToken();
    const taken = (await store.get(account))?.tokens;
    expect(taken?.accessToken).toBe(token);

    frozen.child.kill('SIGCONT');
    frozen.send('answer');
    const outcome = JSON.parse(await frozen.waitFor((line) => line.startsWith('{'))) as {
      code: string | null;
    };
    expect(outcome.code).toBe(LOCK_LOST);

    expect((await store.get(account))?.tokens).toEqual(taken);
    expect(await server.introspect(token)).toMatchObject({ active: true, email: account });
    const next = await refreshTokens(nativeProvider(server), taken?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
  });
});
