import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { echoRequestAnswer, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// Issue 15: --debug printed "cause: [object Object]". Each cause is one readable line (name,
// code, message), and no secret shows in any form.

const SECRET = 'debug-client-secret+/=value';

async function newHome(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'oauth-authorizer-debug-')), 'home');
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function appOnly(tokenUrl: string): string[] {
  return [
    'authorize',
    'app',
    '--token-url',
    tokenUrl,
    '--client-id',
    'app',
    '--flow',
    'client_credentials',
    '--scope',
    'mail',
    '--debug',
  ];
}

describe('--debug shows the cause chain', () => {
  it('one line per cause with its code, never [object Object]', async () => {
    const port = await closedPort();
    const result = await runCli(appOnly(`http://127.0.0.1:${port}/token`), {
      home: await newHome(),
      env: { OAUTH_AUTHORIZER_CLIENT_SECRET: SECRET },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('code: OAUTH_NETWORK_ERROR');
    expect(result.stderr).not.toContain('[object Object]');
    const causes = result.stderr.split('\n').filter((line) => line.startsWith('cause: '));
    expect(causes.length).toBeGreaterThan(0);
    expect(causes.join('\n')).toContain('ECONNREFUSED');
  });

  it('a server echoing the request: no form of the secret in the message or any cause', async () => {
    const server = await startHostileTokenEndpoint((request) => echoRequestAnswer(request, 400));
    try {
      const result = await runCli(appOnly(`${server.url}/token`), {
        home: await newHome(),
        env: { OAUTH_AUTHORIZER_CLIENT_SECRET: SECRET },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('[redacted]');
      expect(result.stderr).not.toContain('[object Object]');
      for (const form of [
        SECRET,
        encodeURIComponent(SECRET),
        new URLSearchParams({ v: SECRET }).toString().slice(2),
        Buffer.from(SECRET).toString('base64'),
        Buffer.from(`app:${encodeURIComponent(SECRET)}`).toString('base64'),
      ])
        expect(result.stderr).not.toContain(form);
    } finally {
      await server.close();
    }
  });
});
