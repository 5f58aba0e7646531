/**
 * The common part of the hostile servers: a `node:net` server on loopback that tracks its sockets,
 * and a flood that writes a pattern to a socket for as long as the client reads it, with
 * backpressure, up to a byte limit, and stops when the client goes away.
 *
 * @module
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';

/** A hostile server on 127.0.0.1. */
export interface HostileServer {
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  /** Bytes of flood written so far, over all connections. */
  readonly floodedBytes: number;
  /** Every command line the clients sent, in order. */
  readonly received: string[];
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/** Default cap on the flood of one connection: 2 GiB, beyond any limit a client should have. */
export const DEFAULT_FLOOD_LIMIT = 2 * 1024 * 1024 * 1024;

/** What a hostile server's connection handler gets. */
export interface HostileSession {
  socket: Socket;
  /** Writes `pattern` again and again while the client keeps reading, until `limit` bytes or the socket closes. */
  flood(pattern: Buffer): Promise<void>;
  /** Calls `onLine` for each CRLF-terminated line the client sends. */
  onLine(onLine: (line: string) => void): void;
}

/**
 * Starts a server on 127.0.0.1 whose connections `handle` drives.
 *
 * @param floodLimit The most one connection's flood writes, in bytes. Default: {@link DEFAULT_FLOOD_LIMIT}
 */
export async function startHostileServer(
  handle: (session: HostileSession) => void,
  floodLimit: number = DEFAULT_FLOOD_LIMIT,
): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  let floodedBytes = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that gives up resets the connection; that is the expected end, not an error.
    socket.on('error', () => {});
    // A large chunk per write keeps the flood fast, so the client's limit is reached in well under a second.
    const session: HostileSession = {
      socket,
      async flood(pattern) {
        const chunk = Buffer.alloc(
          Math.max(pattern.length, 64 * 1024 - ((64 * 1024) % pattern.length)),
          pattern,
        );
        let sent = 0;
        while (!socket.destroyed && socket.writable && sent < floodLimit) {
          sent += chunk.length;
          floodedBytes += chunk.length;
          if (!socket.write(chunk)) {
            // One signal per wait removes both listeners again, so a long flood does not pile them up.
            const waited = new AbortController();
            await Promise.race([
              once(socket, 'drain', { signal: waited.signal }),
              once(socket, 'close', { signal: waited.signal }),
            ]).catch(() => {});
            waited.abort();
          }
        }
      },
      onLine(onLine) {
        let buffered = '';
        socket.on('data', (data: Buffer) => {
          buffered += data.toString('latin1');
          for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
            const line = buffered.slice(0, end).replace(/\r$/, '');
            buffered = buffered.slice(end + 1);
            received.push(line);
            onLine(line);
          }
          // A client sends short commands; a hostile server keeps no more than that.
          if (buffered.length > 64 * 1024) buffered = '';
        });
      },
    };
    handle(session);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get floodedBytes() {
      return floodedBytes;
    },
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
