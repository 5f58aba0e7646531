import { randomBytes } from 'node:crypto';
import { refreshTokens } from '@oauth-authorizer/core';
import { authorizeTestAccount, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';

// Separate Node processes, each with its own Redis connection (as separate machines would have),
// share one account through the Redis store; the manager's lock-then-re-read must make them send
// exactly one refresh between them to a server that rotates refresh tokens.

const PROCESSES = 8;
const CALLS_PER_PROCESS = 50;

const fixture = useRedis({ authorizationServer: {} });
const encryptionKey = randomBytes(32);

describe('TokenManager on the Redis store across processes', () => {
  it(`sends exactly one refresh for ${PROCESSES} processes × ${CALLS_PER_PROCESS} concurrent calls, and every process ends with a working token`, async () => {
    const server = fixture.authorizationServer;
    const store = fixture.newStore('fleet:', { encryptionKey });
    const account = 'fleet@example.test';
    const initial = (await authorizeTestAccount(server, account)).tokens;
    await store.set({ account, tokens: expiredTokens(initial) });

    const workers = Array.from({ length: PROCESSES }, () =>
      fixture.startWorker('concurrent-access.mjs', {
        keyPrefix: 'fleet:',
        account,
        args: [String(CALLS_PER_PROCESS)],
        env: { TOKEN_STORE_KEY: encryptionKey.toString('base64') },
      }),
    );
    await Promise.all(workers.map((worker) => worker.waitFor((line) => line === 'ready')));
    const before = server.countTokenRequests('refresh_token');
    for (const worker of workers) worker.send('go');
    const outputs = await Promise.all(
      workers.map(async (worker) => {
        const line = await worker.waitFor((text) => text.startsWith('{'), 45_000);
        expect(await worker.exited).toEqual({ code: 0, signal: null });
        return JSON.parse(line) as { tokens: string[] };
      }),
    );

    expect(server.countTokenRequests('refresh_token') - before).toBe(1);
    expect(server.tokenRequests.filter((request) => request.error !== undefined)).toEqual([]);
    for (const output of outputs) expect(output.tokens).toHaveLength(1);
    const tokens = new Set(outputs.flatMap((output) => output.tokens));
    const stored = (await store.get(account))?.tokens;
    expect(tokens).toEqual(new Set([stored?.accessToken]));
    for (const token of tokens) {
      expect(await server.introspect(token)).toMatchObject({ active: true, email: account });
    }
    // Had any process sent the old refresh token again, the server would have revoked the grant
    // and this refresh with the stored (newest) one would fail with invalid_grant.
    expect(stored?.refreshToken).not.toBe(initial.refreshToken);
    const next = await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
    expect((await server.introspect(next.accessToken)).active).toBe(true);
  });
});
