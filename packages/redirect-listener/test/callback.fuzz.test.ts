import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedirectListener, startRedirectListener } from '../src/index.js';
import { send } from './http-client.js';

// Property: whatever request target reaches the listener, it answers it (never a 5xx, never a
// crash), a stray request leaves the wait going, only the callback with the exact state ends it
// and the wait resolves with that URL, and no page repeats the authorization code.

const NUM_RUNS = 1000;
const STATE = 'c3RhdGUtZm9yLWZ1enppbmctMTI4LWJpdHM';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => agent.destroy());

const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));
const code = fc.string({ minLength: 4, maxLength: 30 }).map((value) => `code-${value}-secret`);

const target = fc
  .record({
    path: fc.oneof(
      { weight: 6, arbitrary: fc.constant('/callback') },
      fc.constantFrom(
        '/',
        '/Callback',
        '/callback/',
        '/callback/x',
        '//callback',
        '/favicon.ico',
        '/%63allback',
      ),
      fc.webPath(),
    ),
    code: fc.option(code, { nil: undefined }),
    state: fc.oneof(
      { weight: 1, arbitrary: fc.constant(STATE) },
      { weight: 6, arbitrary: fc.constantFrom(`${STATE}x`, STATE.slice(1), STATE.toLowerCase(), '') },
      { weight: 6, arbitrary: text },
      { weight: 3, arbitrary: fc.constant(undefined) },
    ),
    twice: fc.boolean(),
    iss: fc.option(text, { nil: undefined }),
    error: fc.option(text, { nil: undefined }),
    error_description: fc.option(text, { nil: undefined }),
    garbage: fc.option(fc.webQueryParameters(), { nil: undefined }),
  })
  .map((fields) => {
    const query = new URLSearchParams();
    if (fields.code !== undefined) query.append('code', fields.code);
    if (fields.state !== undefined) {
      query.append('state', fields.state);
      if (fields.twice) query.append('state', fields.state);
    }
    for (const name of ['iss', 'error', 'error_description'] as const) {
      const value = fields[name];
      if (value !== undefined) query.append(name, value);
    }
    const search = [query.toString(), fields.garbage].filter(Boolean).join('&');
    return { ...fields, raw: `${fields.path}${search ? `?${search}` : ''}` };
  });

describe('RedirectListener fuzzed with request targets', () => {
  it(`answers every request, ends the wait only for the exact state, never shows the code (${NUM_RUNS} runs)`, async () => {
    let listener: RedirectListener | undefined;
    let waiting: Promise<URL> | undefined;
    let ended = 0;
    const fresh = async () => {
      listener = await startRedirectListener('http://127.0.0.1:0/callback');
      waiting = listener.waitForCallback({ state: STATE });
      waiting.catch(() => undefined);
    };
    await fresh();
    try {
      await fc.assert(
        fc.asyncProperty(target, async (request) => {
          const active = listener as RedirectListener;
          const response = await send(`http://127.0.0.1:${active.port}/`, { path: request.raw, agent });
          expect(response.status).toBeLessThan(500);
          if (request.code !== undefined) {
            expect(response.body).not.toContain(request.code);
            expect(response.body).not.toContain(encodeURIComponent(request.code));
          }
          const exact =
            new URL(`http://x${request.raw}`).pathname === '/callback' &&
            request.state === STATE &&
            !request.twice;
          if (response.status === 200) {
            expect(exact).toBe(true);
            const url = await (waiting as Promise<URL>);
            expect(url.searchParams.getAll('state')).toEqual([STATE]);
            ended += 1;
            await active.close();
            await fresh();
          } else {
            expect(exact).toBe(false);
            expect([400, 404, 414]).toContain(response.status);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    } finally {
      await listener?.close();
    }
    expect(ended).toBeGreaterThan(0);
  });
});
