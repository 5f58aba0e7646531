import { AuthorizerError, OAUTH_INVALID_CONFIGURATION, OAUTH_LISTENER_FAILED } from '@oauth-authorizer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RedirectListener, startRedirectListener } from '../src/index.js';
import { rejectionOf, send } from './http-client.js';

const listeners: RedirectListener[] = [];
async function start(url: string, options?: ConstructorParameters<typeof RedirectListener>[1]) {
  const listener = await startRedirectListener(url, options);
  listeners.push(listener);
  return listener;
}

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

function callback(listener: RedirectListener, state: string, code = 'code-1'): string {
  const url = new URL(listener.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  return url.href;
}

describe('where the redirect listener listens', () => {
  it('listens on 127.0.0.1 with a free port for port 0 and reports the real redirect URI', async () => {
    const listener = await start('http://127.0.0.1:0/callback');
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/callback`);
    const waiting = listener.waitForCallback({ state: 's1' });
    const response = await send(callback(listener, 's1'));
    expect(response.status).toBe(200);
    expect((await waiting).searchParams.get('code')).toBe('code-1');
  });

  it('takes a free port when the redirect URL names none', async () => {
    const listener = await start('http://127.0.0.1/callback');
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/callback`);
  });

  it('listens on the port the redirect URL names', async () => {
    const probe = await start('http://127.0.0.1:0/probe');
    const port = probe.port;
    await probe.close();
    const listener = await start(`http://127.0.0.1:${port}/cb`);
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${port}/cb`);
  });

  it('listens on [::1] for an IPv6 redirect URL and is reachable there only', async () => {
    const listener = await start('http://[::1]:0/callback');
    expect(listener.redirectUri).toBe(`http://[::1]:${listener.port}/callback`);
    const waiting = listener.waitForCallback({ state: 'v6' });
    await expect(send(`http://127.0.0.1:${listener.port}/callback?state=v6&code=x`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    const response = await send(callback(listener, 'v6'));
    expect(response.status).toBe(200);
    expect((await waiting).href).toBe(callback(listener, 'v6'));
  });

  it('listens on both 127.0.0.1 and ::1 with one port for localhost', async () => {
    const listener = await start('http://localhost:0/callback');
    expect(listener.redirectUri).toBe(`http://localhost:${listener.port}/callback`);
    const waiting = listener.waitForCallback({ state: 'both' });
    // A stray on each family proves both are bound to this listener before the real callback ends it.
    const v4 = await send(`http://127.0.0.1:${listener.port}/favicon.ico`);
    const v6 = await send(`http://[::1]:${listener.port}/favicon.ico`);
    expect([v4.status, v6.status]).toEqual([404, 404]);
    const response = await send(callback(listener, 'both'), { address: '::1' });
    expect(response.status).toBe(200);
    const url = await waiting;
    expect(url.origin).toBe(`http://localhost:${listener.port}`);
    expect(url.searchParams.get('code')).toBe('code-1');
  });

  it('answers the callback on 127.0.0.1 for a localhost redirect URL', async () => {
    const listener = await start('http://localhost/callback');
    const waiting = listener.waitForCallback({ state: 'four' });
    expect((await send(callback(listener, 'four'), { address: '127.0.0.1' })).status).toBe(200);
    expect((await waiting).searchParams.get('state')).toBe('four');
  });

  it('keeps a redirect URL without a path as written and answers on "/"', async () => {
    const listener = await start('http://127.0.0.1:0');
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}`);
    const waiting = listener.waitForCallback({ state: 'root' });
    expect((await send(`http://127.0.0.1:${listener.port}/?state=root&code=c`)).status).toBe(200);
    expect((await waiting).pathname).toBe('/');
  });

  it('keeps the query of the redirect URL in the reported redirect URI', async () => {
    const listener = await start('http://127.0.0.1:0/cb?app=mail');
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/cb?app=mail`);
  });

  it('refuses a host that is not loopback with OAUTH_LISTENER_FAILED', async () => {
    const error = await rejectionOf(startRedirectListener('http://0.0.0.0:0/callback'));
    expect(error).toBeInstanceOf(AuthorizerError);
    expect(error.code).toBe(OAUTH_LISTENER_FAILED);
    expect(error.message).toContain('loopback');
    const named = await rejectionOf(new RedirectListener('http://mail.example.test/callback').listen());
    expect(named.code).toBe(OAUTH_LISTENER_FAILED);
  });

  it('listens on a host outside the loopback list when allowNonLoopback is set', async () => {
    // An IPv4-mapped address is not on the loopback list, yet stays on this machine: safe to bind in a test.
    expect((await rejectionOf(startRedirectListener('http://[::ffff:127.0.0.1]:0/callback'))).code).toBe(
      OAUTH_LISTENER_FAILED,
    );
    const listener = await start('http://[::ffff:127.0.0.1]:0/callback', { allowNonLoopback: true });
    expect(listener.redirectUri).toBe(`http://[::ffff:7f00:1]:${listener.port}/callback`);
    expect((await send(`http://127.0.0.1:${listener.port}/other`)).status).toBe(404);
  });

  it.each([
    ['not a URL', 'callback'],
    ['another scheme', 'ftp://127.0.0.1/callback'],
    ['a fragment', 'http://127.0.0.1:0/callback#x'],
    ['user info', 'http://user@127.0.0.1:0/callback'],
    ['https without a certificate', 'https://127.0.0.1:0/callback'],
  ])('rejects a redirect URL with %s as OAUTH_INVALID_CONFIGURATION', async (_what, url) => {
    const error = await rejectionOf(startRedirectListener(url));
    expect(error).toBeInstanceOf(AuthorizerError);
    expect(error.code).toBe(OAUTH_INVALID_CONFIGURATION);
  });

  it('throws a TypeError at once for options of the wrong type', () => {
    expect(() => new RedirectListener('http://127.0.0.1:0/callback', { timeout: -1 })).toThrow(TypeError);
    expect(() => new RedirectListener('http://127.0.0.1:0/callback', { maxUrlLength: 1.5 })).toThrow(
      TypeError,
    );
    expect(() => new RedirectListener(42 as unknown as string)).toThrow(TypeError);
  });

  it('reports redirectUri only once it listens', () => {
    const listener = new RedirectListener('http://127.0.0.1:0/callback');
    expect(() => listener.redirectUri).toThrow(/listen/);
  });
});
