import { refreshTokens, TokenManager } from '@oauth-authorizer/core';
import { authorizeTestAccount, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';

// A process holding the account's lock dies with SIGKILL in the middle of a refresh (before its
// request left): the lock must not block the account for longer than its lease, and the process
// that takes over must refresh once, with the refresh token the dead one never got to use.

const LEASE = 2_000;

const fixture = useRedis({ authorizationServer: {} });

describe('a Redis lock holder killed with SIGKILL mid-refresh', () => {
  it('is taken over by another process once its lease ends, with one refresh and a working token', async () => {
    const server = fixture.authorizationServer;
    const account = 'killed@example.test';
    const store = fixture.newStore('killed:', { lockLease: LEASE });
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expiredTokens(initial) });

    const holder = fixture.startWorker('slow-refresh.mjs', {
      keyPrefix: 'killed:',
      account,
      args: [String(LEASE)],
    });
    await holder.waitFor((line) => line === 'refreshing');
    expect(await fixture.raw.exists(store.lockKey(account))).toBe(1);
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
