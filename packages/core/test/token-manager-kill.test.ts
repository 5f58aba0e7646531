import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTokenStore, type TokenSet } from '@oauth-authorizer/core';
import { authorizeTestAccount, clients } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from './authorization-server-fixture.js';

// A process refreshing in a loop is killed with SIGKILL at a random moment, 100 times in a row.
// After each kill the token file must parse and hold a refresh token the server still accepts,
// except when the kill fell after the server had rotated the refresh token and before the new one
// was written: then the old one, now spent, is all that can be on disk. Those kills are counted:
//   - "unwritten": the answer had arrived in the worker, the write had not finished;
//   - "in flight": the server had answered, the answer had not reached the worker yet.
// Checking a refresh token by introspection does not spend it (using it would).

const KILLS = 100;
// Counted from the end of the worker's first refresh; a refresh-and-write cycle takes 10–50 ms here.
const MAX_KILL_DELAY_MS = 100;

const fixture = useAuthorizationServer('token-manager-kill-');

describe('TokenManager killed with SIGKILL during refresh-and-write', () => {
  it(`leaves a parseable token file with a live refresh token after ${KILLS} kills, except in the answer-to-write window`, async () => {
    const { server, root } = fixture;
    const account = 'killed@example.test';
    const directory = join(root, 'accounts');
    const store = new FileTokenStore({ directory });
    await store.set({ account, tokens: (await authorizeTestAccount(server, account)).tokens });
    const outcomes = { live: 0, unwritten: 0, inFlight: 0 };
    let refreshesSeen = 0;

    // Starting Node and loading the package takes longer than a refresh: the next two workers
    // start while the current one runs, and wait for "go".
    const prepare = () => {
      const worker = fixture.startWorker('refresh-loop.mjs', [
        directory,
        account,
        server.endpoints.token,
        clients.native.clientId,
      ]);
      const ready = worker.waitFor((line) => line === 'ready');
      // The last ones prepared are killed unused by afterAll: its wait must not go unhandled.
      ready.catch(() => undefined);
      return { worker, ready };
    };
    const queue = [prepare(), prepare()];
    for (let kill = 0; kill < KILLS; kill++) {
      const { worker, ready } = queue.shift() as ReturnType<typeof prepare>;
      await ready;
      queue.push(prepare());
      worker.send('go');
      await worker.waitFor((line) => line === 'warm');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_KILL_DELAY_MS));
      await worker.kill('SIGKILL');
      expect(worker.errors.filter((line) => line.startsWith('failed'))).toEqual([]);
      refreshesSeen += worker.errors.filter((line) => line === 'stored').length;

      const text = await readFile(store.pathOf(account), 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      const tokens = (await store.get(account))?.tokens as TokenSet;
      expect(tokens.refreshToken).toBeTruthy();
      const introspection = await server.introspect(tokens.refreshToken as string);
      if (introspection.active) {
        outcomes.live += 1;
        continue;
      }
      // A spent refresh token on disk is only acceptable if the kill fell into the window.
      const last = worker.errors.filter((line) => ['request', 'response', 'stored'].includes(line)).at(-1);
      expect(last === 'response' || last === 'request').toBe(true);
      if (last === 'response') outcomes.unwritten += 1;
      else outcomes.inFlight += 1;
      // The grant is gone at the server (as it would be for a real user): authorize again.
      await store.set({ account, tokens: (await authorizeTestAccount(server, account)).tokens });
    }

    console.info(
      `SIGKILL ×${KILLS}: ${outcomes.live} left a live refresh token; ${outcomes.unwritten} fell between the ` +
        `answer's arrival and the write; ${outcomes.inFlight} fell while the answer was in flight; ` +
        `${refreshesSeen} refreshes were stored in all`,
    );
    expect(outcomes.live + outcomes.unwritten + outcomes.inFlight).toBe(KILLS);
    // Each worker refreshed at least once before its kill, so kills hit running refresh loops.
    expect(refreshesSeen).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);
});
