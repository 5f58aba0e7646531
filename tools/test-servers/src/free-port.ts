import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/**
 * `count` distinct ports on 127.0.0.1 that were free a moment ago, for a server that binds its own
 * listeners (Redis, Dovecot). All of them are held at once before any is released, so the kernel
 * cannot hand the same port out twice (asking one at a time can: a port released by one call is
 * free again for the next). They are released before that server starts, so another process could
 * still take one in between; {@link isPortConflict} recognises the start-up error that follows, for
 * a retry with new ports.
 *
 * @example
 * ```ts
 * const [imapPort, pop3Port] = await freePorts(2);
 * ```
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    return servers.map((server) => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) throw new Error('freePorts: no port was bound');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/**
 * One port on 127.0.0.1 that was free a moment ago ({@link freePorts} with a count of 1).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1']);
 * ```
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * Whether a server's start-up log says a port it was given was taken (by another process, between
 * {@link freePorts} and the server's own bind): a reason to start it again on other ports.
 */
export function isPortConflict(log: string): boolean {
  return /address already in use|EADDRINUSE/i.test(log);
}

/** A server exited at start-up because a port it was given was taken (see {@link isPortConflict}). */
export class PortConflictError extends Error {}

/** How many times {@link startOnFreePorts} tries before a port conflict is the caller's error. */
const PORT_ATTEMPTS = 3;

/**
 * Runs `start` (which chooses its ports with {@link freePorts}) again while it fails with a
 * {@link PortConflictError}, at most 3 times in all: the ports are free when chosen but released
 * before the server binds them, so another process may take one in between (rare).
 *
 * @example
 * ```ts
 * const instance = await startOnFreePorts(async () => launch(await freePorts(2)));
 * ```
 */
export async function startOnFreePorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PortConflictError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}
