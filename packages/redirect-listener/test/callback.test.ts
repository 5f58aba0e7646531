import { once } from 'node:events';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedirectListener, startRedirectListener } from '../src/index.js';
import { type ClientResponse, send, sendRaw, watchRequests } from './http-client.js';

const STATE = 'b3JpZ2luYWwtc3RhdGUtMTI4LWJpdHM';
const listeners: RedirectListener[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  for (const agent of agents.splice(0)) agent.destroy();
});

async function start(options?: ConstructorParameters<typeof RedirectListener>[1]): Promise<RedirectListener> {
  const listener = await startRedirectListener('http://127.0.0.1:0/callback', options);
  listeners.push(listener);
  return listener;
}

function at(listener: RedirectListener, pathAndQuery: string): string {
  return `http://127.0.0.1:${listener.port}${pathAndQuery}`;
}

/** Resolves to 'pending' when `promise` has not settled after the event loop had a moment. */
async function settled(promise: Promise<unknown>): Promise<'pending' | 'settled'> {
  const marker = Symbol('pending');
  const result = await Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise((resolve) => setTimeout(() => resolve(marker), 50)),
  ]);
  return result === marker ? 'pending' : 'settled';
}

describe('the one callback that ends the wait', () => {
  it('answers 100 stray requests with 4xx and still resolves with the real callback after them', async () => {
    const watch = watchRequests();
    const listener = await start({ onRequest: watch.onRequest });
    const waiting = listener.waitForCallback({ state: STATE });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    agents.push(agent);
    const strays: Array<[string, string, number]> = [
      ['GET', '/favicon.ico', 404],
      ['GET', '/', 404],
      ['GET', '/callback/extra?code=c&state=' + STATE, 404],
      ['GET', '/Callback?code=c&state=' + STATE, 404],
      ['GET', '/callback', 400],
      ['GET', '/callback?code=c', 400],
      ['GET', '/callback?code=c&state=wrong', 400],
      ['GET', `/callback?code=c&state=${STATE}x`, 400],
      ['GET', `/callback?code=c&state=${STATE}&state=${STATE}`, 400],
      ['GET', '/wp-login.php', 404],
      ['HEAD', `/callback?code=c&state=${STATE}`, 405],
      ['POST', `/callback?code=c&state=${STATE}`, 405],
      ['PUT', '/callback', 405],
      ['OPTIONS', '*', 405],
    ];
    const requests: Array<Promise<[ClientResponse, number]>> = [];
    for (let index = 0; index < 100; index++) {
      const [method, path, expected] = strays[index % strays.length]!;
      requests.push(
        send(at(listener, '/'), {
          method,
          path,
          agent,
          ...(method === 'POST' && { body: `code=c&state=${STATE}` }),
        }).then((response) => [response, expected]),
      );
    }
    for (const [response, expected] of await Promise.all(requests)) expect(response.status).toBe(expected);
    expect(await settled(waiting)).toBe('pending');

    const response = await send(at(listener, `/callback?code=the-code&state=${STATE}&iss=http%3A%2F%2Fas`));
    expect(response.status).toBe(200);
    const url = await waiting;
    expect(url.href).toBe(at(listener, `/callback?code=the-code&state=${STATE}&iss=http%3A%2F%2Fas`));
    // The debug hook saw every request, and never a query (it carries the code).
    await watch.until(200);
    expect(watch.events).toHaveLength(101);
    expect(watch.events.filter((event) => event.outcome === 200)).toEqual([
      { method: 'GET', path: '/callback', outcome: 200 },
    ]);
    expect(watch.events.some((event) => event.path.includes('?') || event.path.includes('code'))).toBe(false);
  });

  it('answers a HEAD and a POST on the callback path with 405 and Allow: GET', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    for (const method of ['HEAD', 'POST']) {
      const response = await send(at(listener, `/callback?code=c&state=${STATE}`), { method });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET');
    }
    expect(await settled(waiting)).toBe('pending');
  });

  it('answers an oversized URL with 414 and keeps waiting', async () => {
    const listener = await start({ maxUrlLength: 2048 });
    const waiting = listener.waitForCallback({ state: STATE });
    const long = await send(at(listener, `/callback?state=${STATE}&code=${'c'.repeat(3000)}`));
    expect(long.status).toBe(414);
    expect(long.body).toContain('too long');
    // Past Node's own header limit too: still a 4xx, not a crash.
    const huge = await send(at(listener, `/callback?state=${STATE}&code=${'c'.repeat(40_000)}`));
    expect(huge.status).toBe(431);
    expect(await settled(waiting)).toBe('pending');
    expect((await send(at(listener, `/callback?state=${STATE}&code=${'c'.repeat(1500)}`))).status).toBe(200);
    expect((await waiting).searchParams.get('code')).toHaveLength(1500);
  });

  it('accepts an 8 KiB request target by default, enough for long provider codes', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const code = 'M'.repeat(8000);
    expect((await send(at(listener, `/callback?code=${code}&state=${STATE}`))).status).toBe(200);
    expect((await waiting).searchParams.get('code')).toBe(code);
  });

  it('does not take a proxy-style absolute request target for the callback', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const reply = await sendRaw(
      '127.0.0.1',
      listener.port,
      `GET http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    const garbage = await sendRaw('127.0.0.1', listener.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(await settled(waiting)).toBe('pending');
  });

  it('ends the wait with an error redirect that carries the right state', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(
      at(listener, `/callback?error=access_denied&error_description=The+user+said+no&state=${STATE}`),
    );
    expect(response.status).toBe(200);
    expect(response.body).toContain('Authorization failed');
    expect(response.body).toContain('access_denied');
    expect(response.body).toContain('The user said no');
    const url = await waiting;
    expect(url.searchParams.get('error')).toBe('access_denied');
  });

  it('ignores an error redirect with a wrong state', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(at(listener, '/callback?error=access_denied&state=forged'));
    expect(response.status).toBe(400);
    expect(await settled(waiting)).toBe('pending');
  });

  it('ends the wait and shows the failure page for a redirect with the right state but no code', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(at(listener, `/callback?state=${STATE}`));
    expect(response.status).toBe(200);
    expect(response.body).toContain('neither an authorization code nor an error');
    expect((await waiting).searchParams.has('code')).toBe(false);
  });

  it('keeps a callback that arrives before waitForCallback() and answers it once the state is known', async () => {
    const watch = watchRequests();
    const listener = await start({ onRequest: watch.onRequest });
    const stray = send(at(listener, '/callback?code=x&state=other'));
    await watch.until('held', 1);
    const early = send(at(listener, `/callback?code=early&state=${STATE}`));
    await watch.until('held', 2);
    const url = await listener.waitForCallback({ state: STATE });
    expect(url.searchParams.get('code')).toBe('early');
    expect((await early).status).toBe(200);
    expect((await stray).status).toBe(400);
  });

  it('still resolves with a held callback whose browser hung up before waitForCallback()', async () => {
    const watch = watchRequests();
    const listener = await start({ onRequest: watch.onRequest, timeout: 5000 });
    const socket = connect({ host: '127.0.0.1', port: listener.port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(`GET /callback?code=gone&state=${STATE} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await watch.until('held');
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const url = await listener.waitForCallback({ state: STATE });
    expect(url.searchParams.get('code')).toBe('gone');
  });

  it('answers a second valid callback with 410 once the first one ended the wait', async () => {
    const watch = watchRequests();
    const listener = await start({ onRequest: watch.onRequest });
    // Both are held until the state is known, so they are checked one after the other.
    const first = send(at(listener, `/callback?code=1&state=${STATE}`));
    await watch.until('held', 1);
    const second = send(at(listener, `/callback?code=2&state=${STATE}`));
    await watch.until('held', 2);
    const url = await listener.waitForCallback({ state: STATE });
    expect(url.searchParams.get('code')).toBe('1');
    expect((await first).status).toBe(200);
    const late = await second;
    expect(late.status).toBe(410);
    expect(late.headers.connection).toBe('close');
  });

  it('rejects a second concurrent waitForCallback() as a programming error', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    expect(() => listener.waitForCallback({ state: STATE })).toThrow(/already waiting/);
    expect(() => listener.waitForCallback({ state: STATE })).toThrow(TypeError);
    expect(() => listener.waitForCallback({ state: '' })).toThrow(TypeError);
    await expect(listener.listen()).rejects.toThrow(TypeError);
    await send(at(listener, `/callback?code=c&state=${STATE}`));
    await waiting;
  });

  it('treats calls in the wrong order as programming errors (TypeError), not as authorization errors', async () => {
    const listener = new RedirectListener('http://127.0.0.1:0/callback');
    expect(() => listener.redirectUri).toThrow(TypeError);
    expect(() => listener.waitForCallback({ state: STATE })).toThrow(TypeError);
  });
});
