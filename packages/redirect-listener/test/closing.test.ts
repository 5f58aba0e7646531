import { once } from 'node:events';
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { OAUTH_ABORTED, OAUTH_LISTENER_CLOSED, OAUTH_LISTENER_TIMEOUT } from '@oauth-authorizer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RedirectListener, startRedirectListener } from '../src/index.js';
import { rejectionOf, send, watchRequests } from './http-client.js';

const STATE = 'closing-state-0123456789';
const listeners: RedirectListener[] = [];
const cleanups: Array<() => void> = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function start(options?: Parameters<typeof startRedirectListener>[1]): Promise<RedirectListener> {
  const listener = await startRedirectListener('http://127.0.0.1:0/callback', options);
  listeners.push(listener);
  return listener;
}

/** A keep-alive connection that has made one request and now sits idle in the agent's pool. */
async function idleKeepAliveSocket(listener: RedirectListener): Promise<Socket> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => agent.destroy());
  const response = await send(`http://127.0.0.1:${listener.port}/favicon.ico`, { agent });
  expect(response.status).toBe(404);
  const [socket] = Object.values(agent.freeSockets).flat();
  if (!socket) throw new Error('the agent kept no socket');
  expect(socket.destroyed).toBe(false);
  return socket;
}

/** A raw connection that stopped half-way through its request line. */
async function halfSentRequest(listener: RedirectListener): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port: listener.port });
  cleanups.push(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write('GET /callback?state=');
  return socket;
}

async function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return;
  await Promise.race([
    once(socket, 'close'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms)),
  ]);
}

async function refusesConnections(port: number): Promise<void> {
  await expect(send(`http://127.0.0.1:${port}/callback`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}

describe('how the listener closes', () => {
  it('closes keep-alive and half-sent connections and stops listening after the callback', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const keepAlive = await idleKeepAliveSocket(listener);
    const halfSent = await halfSentRequest(listener);
    expect((await send(`http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE}`)).status).toBe(200);
    await waiting;
    await Promise.all([closedWithin(keepAlive, 5000), closedWithin(halfSent, 5000)]);
    await listener.close();
    expect(listener.listening).toBe(false);
    await refusesConnections(listener.port);
  });

  it('rejects with OAUTH_LISTENER_TIMEOUT when no callback comes in time, and closes', async () => {
    const listener = await start({ timeout: 150 });
    const keepAlive = await idleKeepAliveSocket(listener);
    const started = Date.now();
    const error = await rejectionOf(listener.waitForCallback({ state: STATE }));
    expect(error.code).toBe(OAUTH_LISTENER_TIMEOUT);
    expect(error.message).toBe(`no authorization redirect arrived at ${listener.redirectUri} within 150 ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await closedWithin(keepAlive, 5000);
    await listener.close();
    expect(listener.listening).toBe(false);
    await refusesConnections(listener.port);
    const again = await rejectionOf(listener.waitForCallback({ state: STATE }));
    expect(again.code).toBe(OAUTH_LISTENER_CLOSED);
    expect(again.message).toContain('timeout');
  });

  it('waits on for a timeout beyond what a Node timer holds, instead of firing at once', async () => {
    const listener = await start({ timeout: 2 ** 40 });
    const waiting = listener.waitForCallback({ state: STATE });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await send(`http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE}`)).status).toBe(200);
    expect((await waiting).searchParams.get('code')).toBe('c');
  });

  it('rejects with OAUTH_ABORTED when the wait is aborted, and closes', async () => {
    const listener = await start();
    const keepAlive = await idleKeepAliveSocket(listener);
    const controller = new AbortController();
    const waiting = listener.waitForCallback({ state: STATE, signal: controller.signal });
    const reason = new Error('user pressed Ctrl-C');
    controller.abort(reason);
    const error = await rejectionOf(waiting);
    expect(error.code).toBe(OAUTH_ABORTED);
    expect(error.cause).toBe(reason);
    await closedWithin(keepAlive, 5000);
    await listener.close();
    expect(listener.listening).toBe(false);
  });

  it('rejects with OAUTH_ABORTED when the listener signal aborts, and closes', async () => {
    const controller = new AbortController();
    const listener = await start({ signal: controller.signal });
    const waiting = listener.waitForCallback({ state: STATE });
    controller.abort();
    expect((await rejectionOf(waiting)).code).toBe(OAUTH_ABORTED);
    await listener.close();
    expect(listener.listening).toBe(false);
    await refusesConnections(listener.port);
  });

  it('does not listen at all when the signal aborted before listen()', async () => {
    const error = await rejectionOf(
      startRedirectListener('http://127.0.0.1:0/callback', { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe(OAUTH_ABORTED);
  });

  it('rejects an already aborted wait at once', async () => {
    const listener = await start();
    const error = await rejectionOf(listener.waitForCallback({ state: STATE, signal: AbortSignal.abort() }));
    expect(error.code).toBe(OAUTH_ABORTED);
    expect(listener.listening).toBe(false);
  });

  it('rejects a pending wait with OAUTH_LISTENER_CLOSED on close(), and answers held callbacks 503', async () => {
    const watch = watchRequests();
    const listener = await start({ onRequest: watch.onRequest });
    const held = send(`http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE}`);
    await watch.until('held');
    await listener.close();
    expect((await held).status).toBe(503);
    const error = await rejectionOf(listener.waitForCallback({ state: STATE }));
    expect(error.code).toBe(OAUTH_LISTENER_CLOSED);
    await listener.close();
  });

  it('rejects a wait that close() interrupts with OAUTH_LISTENER_CLOSED', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const closing = listener.close();
    expect((await rejectionOf(waiting)).code).toBe(OAUTH_LISTENER_CLOSED);
    await closing;
    expect(listener.listening).toBe(false);
  });

  it('rejects waiting again after the callback with OAUTH_LISTENER_CLOSED', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    await send(`http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE}`);
    await waiting;
    const error = await rejectionOf(listener.waitForCallback({ state: STATE }));
    expect(error.code).toBe(OAUTH_LISTENER_CLOSED);
    expect(error.message).toContain('already received');
  });

  it('closes on both families for localhost', async () => {
    const listener = await startRedirectListener('http://localhost:0/callback', { timeout: 50 });
    listeners.push(listener);
    await rejectionOf(listener.waitForCallback({ state: STATE }));
    await listener.close();
    for (const host of ['127.0.0.1', '[::1]']) {
      await expect(send(`http://${host}:${listener.port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  it('stops listening when close() comes while listen() is still binding', async () => {
    const listener = new RedirectListener('http://localhost:0/callback');
    const listening = listener.listen();
    const closing = listener.close();
    expect((await rejectionOf(listening)).code).toBe(OAUTH_LISTENER_CLOSED);
    await closing;
    expect(listener.listening).toBe(false);
    if (listener.port !== 0) await refusesConnections(listener.port);
  });

  it('stops listening when the signal aborts while listen() is still binding', async () => {
    const controller = new AbortController();
    const listener = new RedirectListener('http://localhost:0/callback', { signal: controller.signal });
    const listening = listener.listen();
    controller.abort();
    expect((await rejectionOf(listening)).code).toBe(OAUTH_ABORTED);
    await listener.close();
    expect(listener.listening).toBe(false);
  });
});
