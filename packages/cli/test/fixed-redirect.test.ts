import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { clients, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { MAIL_SCOPES, startTestProvider, type TestProvider } from './test-provider.js';

// Issue 14: providers that compare the redirect URL exactly (Yahoo, AOL, Zoho, Yandex) get a
// preset that fixes it, port and all; Yahoo wants it over https.

/** A free port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

/** The test server's preset, with a fixed redirect URL. */
async function presetWithRedirect(redirectUrl: string): Promise<string> {
  const base = JSON.parse(await readFile(provider.presetFile, 'utf8')) as Record<string, unknown>;
  const file = join(await provider.newHome(), '..', `exact-${Date.now()}-${Math.random()}.json`);
  await writeFile(file, JSON.stringify({ ...base, id: 'exact-redirect', redirectUrl, scopes: MAIL_SCOPES }));
  return file;
}

function authorize(account: string, preset: string, home: string, env: Record<string, string> = {}) {
  // With a fixed port, a browser that fails would leave the CLI waiting for its full timeout.
  return runCli(
    ['authorize', account, '--preset', preset, '--client-id', clients.native.clientId, '--timeout', '20'],
    {
      home,
      env: { TEST_BROWSER_LOGIN: `${account}@example.test`, ...env },
    },
  );
}

describe('a redirect URL the preset fixes', () => {
  it('says to register exactly that URL before the browser opens', async () => {
    const port = await freePort();
    const preset = await presetWithRedirect(`http://127.0.0.1:${port}/callback`);
    const result = await authorize('ida', preset, await provider.newHome());
    expect(result.code, result.stderr).toBe(0);
    const register = result.stderr.indexOf(
      `Register exactly this redirect URL at the provider: http://127.0.0.1:${port}/callback`,
    );
    expect(register).toBeGreaterThanOrEqual(0);
    expect(register).toBeLessThan(result.stderr.indexOf('Opened the authorization page'));
  });

  it('a busy fixed port is an error naming the port and --redirect-url', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const preset = await presetWithRedirect(`http://127.0.0.1:${port}/callback`);
      const result = await authorize('jo', preset, await provider.newHome());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`oauth-authorizer: port ${port} of the preset's redirect URL`);
      expect(result.stderr).toMatch(/hint: .*--redirect-url/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('an https loopback redirect: a self-signed certificate made once, kept 0600 under the home, and the browser warning explained', async () => {
    // The stand-in browser goes straight to the redirect (as the provider would send it there)
    // and trusts the certificate, as a person does by clicking through the warning.
    const tokens = await startHostileTokenEndpoint(() => ({
      body: {
        access_token: 'https-redirect-access',
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: 'https-redirect-refresh',
      },
    }));
    try {
      const home = await provider.newHome();
      const certFile = join(home, 'tls', 'loopback', 'cert.pem');
      const browser = join(home, '..', 'https-browser.mjs');
      await writeFile(
        browser,
        [
          "import { readFileSync } from 'node:fs';",
          "import { get } from 'node:https';",
          'const url = new URL(process.argv.at(-1));',
          "const target = new URL(url.searchParams.get('redirect_uri'));",
          "target.searchParams.set('code', 'the-code');",
          "target.searchParams.set('state', url.searchParams.get('state'));",
          'get(target, { ca: readFileSync(process.env.LOOPBACK_CERT) }, (res) => res.resume().on("end", () => process.exit(0)))',
          '  .on("error", (error) => { console.error(error.message); process.exit(1); });',
        ].join('\n'),
      );
      const port = await freePort();
      const preset = join(home, '..', 'https-preset.json');
      await writeFile(
        preset,
        JSON.stringify({
          id: 'https-redirect',
          name: 'A provider that wants https redirects',
          authorizationUrl: 'https://login.example.test/authorize',
          tokenUrl: `${tokens.url}/token`,
          scopes: ['mail'],
          flows: ['code'],
          redirectUrl: `https://127.0.0.1:${port}/callback`,
        }),
      );
      const env = { BROWSER: `${process.execPath} ${browser}`, LOOPBACK_CERT: certFile };
      const first = await runCli(
        ['authorize', 'kai', '--preset', preset, '--client-id', 'app', '--timeout', '20'],
        { home, env },
      );
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain(
        `Register exactly this redirect URL at the provider: https://127.0.0.1:${port}/callback`,
      );
      expect(first.stderr).toContain(`self-signed certificate made just now for this machine (${certFile})`);
      expect(first.stderr).toContain('The browser warns that the connection is not private');
      for (const file of ['key.pem', 'cert.pem'])
        expect((await stat(join(home, 'tls', 'loopback', file))).mode & 0o777).toBe(0o600);
      expect((await stat(join(home, 'tls', 'loopback'))).mode & 0o077).toBe(0);
      const cert = await readFile(certFile, 'utf8');
      expect(cert).toContain('BEGIN CERTIFICATE');

      const second = await runCli(['authorize', 'kai', '--timeout', '20'], { home, env });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).not.toContain('made just now');
      expect(await readFile(certFile, 'utf8')).toBe(cert);
    } finally {
      await tokens.close();
    }
  });
});
