import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAUTH_INVALID_CONFIGURATION } from '@oauth-authorizer/core';
import { createSelfSignedCertificate } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedirectListener, startRedirectListener } from '../src/index.js';
import { rejectionOf, send } from './http-client.js';

const STATE = 'https-state-0123456789';
let directory: string;
let key: string;
let cert: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'redirect-listener-tls-'));
  // A self-signed certificate for 127.0.0.1, as a user would make for a provider that wants https.
  ({ key, cert } = createSelfSignedCertificate(directory));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('an https redirect URL', () => {
  it('serves the callback over TLS with the caller-supplied certificate', async () => {
    const listener = await startRedirectListener('https://127.0.0.1:0/callback', { https: { key, cert } });
    try {
      expect(listener.redirectUri).toBe(`https://127.0.0.1:${listener.port}/callback`);
      const waiting = listener.waitForCallback({ state: STATE });
      const stray = await send(`https://127.0.0.1:${listener.port}/favicon.ico`, { ca: cert });
      expect(stray.status).toBe(404);
      const response = await send(`${listener.redirectUri}?code=tls-code&state=${STATE}`, { ca: cert });
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const url = await waiting;
      expect(url.protocol).toBe('https:');
      expect(url.searchParams.get('code')).toBe('tls-code');
      await listener.close();
      expect(listener.listening).toBe(false);
    } finally {
      await listener.close();
    }
  });

  it('is not reachable over plain http', async () => {
    const listener = await startRedirectListener('https://localhost:0/callback', { https: { key, cert } });
    try {
      const waiting = listener.waitForCallback({ state: STATE });
      waiting.catch(() => {});
      await expect(
        send(`http://127.0.0.1:${listener.port}/callback?code=c&state=${STATE}`),
      ).rejects.toThrow();
      const response = await send(`https://localhost:${listener.port}/callback?code=c&state=${STATE}`, {
        ca: cert,
        address: '::1',
      });
      expect(response.status).toBe(200);
      await waiting;
    } finally {
      await listener.close();
    }
  });

  it('refuses the https option with an http redirect URL', async () => {
    const listening = new RedirectListener('http://127.0.0.1:0/callback', { https: { key, cert } }).listen();
    expect((await rejectionOf(listening)).code).toBe(OAUTH_INVALID_CONFIGURATION);
  });
});
