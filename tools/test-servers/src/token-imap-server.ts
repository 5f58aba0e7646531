import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import type { TokenIntrospection } from './smtp-server.js';

/** Options of {@link startTokenImapServer}. */
export interface TokenImapServerOptions {
  /** Checks an access token, e.g. `authorizationServer.introspect`. */
  introspect: (token: string) => Promise<TokenIntrospection>;
}

/** A running {@link startTokenImapServer}. */
export interface TokenImapServer {
  host: '127.0.0.1';
  port: number;
  /** Logins accepted so far. */
  logins(): number;
  /** Logins refused so far. */
  refusals(): number;
  /** Connections open now. */
  sessions(): number;
  close(): Promise<void>;
}

const XOAUTH2 = /^user=([^\x01]+)\x01auth=Bearer ([^\x01]+)\x01\x01$/;

/**
 * A minimal IMAP server for load tests, where Dovecot's per-user connection and process limits
 * would be what is measured: `CAPABILITY`, `AUTHENTICATE XOAUTH2` (SASL-IR; every token checked
 * by `introspect`, which must say active with the login's `email`), `NOOP`, `IDLE` and `LOGOUT`.
 * A refused token gets the RFC 7628-style challenge, then `NO [AUTHENTICATIONFAILED]`.
 *
 * @example
 * ```ts
 * const imap = await startTokenImapServer({ introspect: (token) => authorizationServer.introspect(token) });
 * ```
 */
export async function startTokenImapServer(options: TokenImapServerOptions): Promise<TokenImapServer> {
  let logins = 0;
  let refusals = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] token IMAP server ready\r\n');
    let buffer = '';
    let waiting: ((line: string) => void) | undefined;
    const lines: string[] = [];
    const handle = async (line: string) => {
      const [tag = '*', command = '', argument = ''] = line.split(' ');
      switch (command.toUpperCase()) {
        case 'CAPABILITY':
          socket.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 IDLE\r\n${tag} OK done\r\n`);
          return;
        case 'AUTHENTICATE': {
          const match = XOAUTH2.exec(Buffer.from(line.split(' ')[3] ?? '', 'base64').toString('utf8'));
          const result =
            match === null
              ? { active: false }
              : await options.introspect(match[2] as string).catch(() => ({ active: false }));
          if (match !== null && result.active && result.email === match[1]) {
            logins += 1;
            socket.write(`${tag} OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n`);
            return;
          }
          refusals += 1;
          socket.write(
            `+ ${Buffer.from('{"status":"401","schemes":"bearer","scope":"mail"}').toString('base64')}\r\n`,
          );
          await new Promise<string>((resolve) => {
            waiting = resolve;
          });
          socket.write(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n`);
          return;
        }
        case 'NOOP':
          socket.write(`${tag} OK NOOP done\r\n`);
          return;
        case 'IDLE':
          socket.write('+ idling\r\n');
          await new Promise<string>((resolve) => {
            waiting = resolve;
          });
          socket.write(`${tag} OK IDLE done\r\n`);
          return;
        case 'LOGOUT':
          socket.end(`* BYE\r\n${tag} OK LOGOUT done\r\n`);
          return;
        default:
          socket.write(`${tag} BAD ${argument ? 'unknown' : 'empty'} command\r\n`);
      }
    };
    let busy = Promise.resolve();
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (waiting !== undefined) {
          const resolve = waiting;
          waiting = undefined;
          resolve(line);
          continue;
        }
        lines.push(line);
        busy = busy.then(() => handle(lines.shift() as string));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    logins: () => logins,
    refusals: () => refusals,
    sessions: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
