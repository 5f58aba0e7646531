import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/** A TCP forwarder on loopback that counts the connections it passes on. */
export interface ConnectionCounter {
  host: '127.0.0.1';
  /** Where to connect instead of the target. */
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops forwarding and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts a byte-for-byte TCP forwarder on `127.0.0.1` to `targetPort` (TLS passes through
 * untouched), counting connections: for tests that must prove a proxy did, or did not, connect
 * to a server.
 *
 * @example
 * ```ts
 * const counted = await startConnectionCounter(dovecot.submissionPort);
 * // … point the proxy at counted.port …
 * expect(counted.connections()).toBe(0);
 * ```
 */
export async function startConnectionCounter(targetPort: number): Promise<ConnectionCounter> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    count += 1;
    const target = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.pipe(target);
    target.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
