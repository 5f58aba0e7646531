import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { AuthorizerError, OAUTH_LISTENER_FAILED } from '@oauth-authorizer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedirectListener } from '../src/index.js';
import { rejectionOf } from './http-client.js';

const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    blockers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

/** Another program holding a port: a plain TCP server. */
async function occupy(host: string, port = 0): Promise<number> {
  const server = createServer();
  blockers.push(server);
  server.listen({ host, port, exclusive: true });
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('a port that is in use', () => {
  it('fails with OAUTH_LISTENER_FAILED naming the port and what to do', async () => {
    const port = await occupy('127.0.0.1');
    const error = await rejectionOf(startRedirectListener(`http://127.0.0.1:${port}/callback`));
    expect(error).toBeInstanceOf(AuthorizerError);
    expect(error.code).toBe(OAUTH_LISTENER_FAILED);
    expect(error.message).toContain(`port ${port} is already in use`);
    expect(error.message).toContain('port 0');
    expect((error as AuthorizerError).hint).toContain('redirect URL');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('fails for [::1] when the port is taken there', async () => {
    const port = await occupy('::1');
    const error = await rejectionOf(startRedirectListener(`http://[::1]:${port}/callback`));
    expect(error.code).toBe(OAUTH_LISTENER_FAILED);
    expect(error.message).toContain(`[::1]:${port}`);
  });

  it('fails for localhost when another program holds the port on ::1 only, and frees 127.0.0.1 again', async () => {
    // Otherwise a browser that picks ::1 for localhost would hand the code to that other program.
    const port = await occupy('::1');
    const error = await rejectionOf(startRedirectListener(`http://localhost:${port}/callback`));
    expect(error.code).toBe(OAUTH_LISTENER_FAILED);
    expect(error.message).toContain(`port ${port} is already in use`);
    const again = await occupy('127.0.0.1', port);
    expect(again).toBe(port);
  });

  it('finds a port free on both families for localhost with port 0', async () => {
    const listener = await startRedirectListener('http://localhost:0/callback');
    try {
      await expect(occupy('127.0.0.1', listener.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(occupy('::1', listener.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await listener.close();
    }
  });
});
