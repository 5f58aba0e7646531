import { join } from 'node:path';
import { FileTokenStore, refreshTokens } from '@oauth-authorizer/core';
import { authorizeTestAccount, clients, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from './authorization-server-fixture.js';

// Separate Node processes (running the built package) share one account through the file store:
// the cross-process lock plus the re-read under it must make them send one refresh between them.

const PROCESSES = 8;
const CALLS_PER_PROCESS = 50;

const fixture = useAuthorizationServer('token-manager-processes-');

describe('TokenManager across processes with the file store', () => {
  it(`sends exactly one token request for ${PROCESSES} processes × ${CALLS_PER_PROCESS} concurrent calls, and keeps the newest refresh token`, async () => {
    const { server, root } = fixture;
    const account = 'processes@example.test';
    const directory = join(root, 'accounts');
    const store = new FileTokenStore({ directory });
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expiredTokens(initial) });

    const before = server.countTokenRequests('refresh_token');
    const outputs = await fixture.runConcurrentWorkers(PROCESSES, [
      directory,
      account,
      server.endpoints.token,
      clients.native.clientId,
      String(CALLS_PER_PROCESS),
    ]);

    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    const tokens = new Set(outputs.flat());
    for (const output of outputs) expect(output).toHaveLength(1);
    for (const token of tokens) {
      expect(await server.introspect(token)).toMatchObject({ active: true, email: account });
    }
    // The stored refresh token is the newest: had any process sent the old one again, the
    // server would have revoked the grant and this refresh would fail with invalid_grant.
    const stored = (await store.get(account))?.tokens;
    expect(stored?.refreshToken).not.toBe(initial.refreshToken);
    expect(tokens).toEqual(new Set([stored?.accessToken]));
    const next = await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
  });
});
