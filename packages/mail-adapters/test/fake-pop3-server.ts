/**
 * A scripted POP3 server on loopback for wire-format tests: each received line goes to `respond`,
 * which writes whatever bytes the test wants (split into small chunks, to cross read boundaries).
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';

export interface FakePop3Session {
  /** Writes raw bytes, in chunks of at most `chunkSize` (default: all at once). */
  write(data: string | Buffer, chunkSize?: number): void;
  socket: Socket;
}

export interface FakePop3Server {
  port: number;
  /** Every line the clients sent, in order. */
  received: string[];
  close(): Promise<void>;
}

export async function startFakePop3Server(options: {
  /** The greeting; `null` for none (a server that accepts and stays silent). Default: `+OK fake POP3 ready` */
  greeting?: string | null;
  respond: (line: string, session: FakePop3Session) => void;
}): Promise<FakePop3Server> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const session: FakePop3Session = {
      socket,
      write(data, chunkSize) {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
        if (!chunkSize) {
          socket.write(bytes);
          return;
        }
        for (let offset = 0; offset < bytes.length; offset += chunkSize) {
          socket.write(bytes.subarray(offset, offset + chunkSize));
        }
      },
    };
    const greeting = options.greeting === undefined ? '+OK fake POP3 ready' : options.greeting;
    if (greeting !== null) socket.write(`${greeting}\r\n`);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        received.push(line);
        options.respond(line, session);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
