import { refreshTokens, TokenManager } from '@oauth-authorizer/core';
import { REDIS_STORE_LOCK_LOST } from '@oauth-authorizer/store-redis';
import { authorizeTestAccount, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';

// A lock holder frozen mid-refresh (SIGSTOP) stops renewing; its lease runs out, another process
// takes over, refreshes and stores newer tokens. When the frozen one wakes up with its own answer,
// its write must be refused, so the newer tokens stay.

const LEASE = 1_000;

const fixture = useRedis({ authorizationServer: {} });

describe('a Redis lock holder frozen past its lease', () => {
  it('cannot overwrite the tokens the process that took over stored: its write fails with REDIS_STORE_LOCK_LOST', async () => {
    const server = fixture.authorizationServer;
    const store = fixture.newStore('paused:', { lockLease: LEASE });
    const account = 'paused@example.test';
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expiredTokens(initial) });

    const frozen = fixture.startWorker('paused-holder.mjs', {
      keyPrefix: 'paused:',
      account,
      args: [String(LEASE), String(LEASE / 4)],
    });
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
    expect(outcome.code).toBe(REDIS_STORE_LOCK_LOST);

    expect((await store.get(account))?.tokens).toEqual(taken);
    expect(await server.introspect(token)).toMatchObject({ active: true, email: account });
    const next = await refreshTokens(nativeProvider(server), taken?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
  });
});
