import { afterEach, describe, expect, it } from 'vitest';
import { type RedirectListener, startRedirectListener } from '../src/index.js';
import { send } from './http-client.js';

const STATE = 'page-state-0123456789abcdef';
const listeners: RedirectListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

async function start(options?: Parameters<typeof startRedirectListener>[1]): Promise<RedirectListener> {
  const listener = await startRedirectListener('http://127.0.0.1:0/callback', options);
  listeners.push(listener);
  return listener;
}

function at(listener: RedirectListener, query: string): string {
  return `http://127.0.0.1:${listener.port}/callback?${query}`;
}

describe('the pages the listener shows', () => {
  it('shows the success page with no-store, no-referrer and a CSP that allows no script', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(at(listener, `code=secret-code-value&state=${STATE}`));
    await waiting;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).not.toMatch(/script-src/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers.connection).toBe('close');
    expect(response.body).toContain('You can close this window');
    // The page never repeats the code, and loads nothing from elsewhere.
    expect(response.body).not.toContain('secret-code-value');
    expect(response.body).not.toMatch(/\b(src|href)=|url\(|@import/i);
  });

  it('sends the same protective headers on stray answers', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    waiting.catch(() => {});
    for (const path of ['/favicon.ico', '/callback?state=nope']) {
      const response = await send(`http://127.0.0.1:${listener.port}${path}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.body).toMatch(/^<!doctype html>/);
    }
  });

  it('escapes a <script> in error_description on the failure page', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const description = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const response = await send(
      at(
        listener,
        new URLSearchParams({
          error: 'server_error<b>',
          error_description: description,
          error_uri: 'javascript:alert(1)',
          state: STATE,
        }).toString(),
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body).not.toContain('<script>');
    expect(response.body).not.toContain('<img');
    expect(response.body).not.toContain('<b>');
    expect(response.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x');
    expect(response.body).toContain('server_error&lt;b&gt;');
    // A javascript: error_uri is shown as text, never as a link.
    expect(response.body).not.toContain('href="javascript');
    expect((await waiting).searchParams.get('error_description')).toBe(description);
  });

  it('links an https error_uri on the failure page', async () => {
    const listener = await start();
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(
      at(
        listener,
        `error=invalid_scope&error_uri=https%3A%2F%2Fhelp.example.test%2Fe%3Fa%3D1%26b%3D2&state=${STATE}`,
      ),
    );
    await waiting;
    expect(response.body).toContain('href="https://help.example.test/e?a=1&amp;b=2"');
  });

  it('shows custom pages given as strings', async () => {
    const listener = await start({ successPage: '<p>All set, Mail</p>' });
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(at(listener, `code=c&state=${STATE}`));
    await waiting;
    expect(response.body).toBe('<p>All set, Mail</p>');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('gives custom page functions the details already escaped', async () => {
    const listener = await start({
      successPage: ({ issuer }) => `<p>Signed in at ${issuer}</p>`,
      failurePage: ({ error, errorDescription }) => `<p>${error}: ${errorDescription}</p>`,
    });
    const waiting = listener.waitForCallback({ state: STATE });
    const response = await send(
      at(listener, `error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E&state=${STATE}`),
    );
    await waiting;
    expect(response.body).toBe('<p>access_denied: &lt;script&gt;x&lt;/script&gt;</p>');

    const second = await start({ successPage: ({ issuer }) => `<p>Signed in at ${issuer}</p>` });
    const secondWait = second.waitForCallback({ state: STATE });
    const success = await send(
      `http://127.0.0.1:${second.port}/callback?code=c&iss=${encodeURIComponent('http://as/"><x>')}&state=${STATE}`,
    );
    await secondWait;
    expect(success.body).toBe('<p>Signed in at http://as/&quot;&gt;&lt;x&gt;</p>');
  });
});
