/**
 * A POP3 server that misbehaves on purpose: one of its replies never ends. It logs anybody in
 * (`AUTH` gets `+OK`) and floods the reply its `behaviour` names, so a test can check that the
 * client's memory stays bounded and that it fails with a typed error.
 *
 * @module
 */
import { DEFAULT_FLOOD_LIMIT, type HostileServer, startHostileServer } from './hostile-stream.js';

/**
 * Which reply never ends:
 * - `endless-capa`: `+OK` to CAPA, then capability lines without the terminating `.`;
 * - `endless-list` / `endless-uidl`: the same for LIST / UIDL;
 * - `endless-retr`: a message to RETR that never ends;
 * - `endless-line`: one line to CAPA that never ends (no LF at all).
 */
export type HostilePop3Behaviour =
  | 'endless-capa'
  | 'endless-list'
  | 'endless-uidl'
  | 'endless-retr'
  | 'endless-line';

/** Options of {@link startHostilePop3Server}. */
export interface HostilePop3ServerOptions {
  behaviour: HostilePop3Behaviour;
  /** The most one connection's flood writes, in bytes. Default: 2 GiB */
  floodLimit?: number;
}

const CAPABILITIES = '+OK\r\nUSER\r\nUIDL\r\nSASL XOAUTH2 OAUTHBEARER\r\n.\r\n';

/**
 * Starts the server on 127.0.0.1 (plain text: connect with `tls: 'none'`).
 *
 * @example
 * ```ts
 * const server = await startHostilePop3Server({ behaviour: 'endless-list' });
 * const pop3 = await Pop3Client.connect({ host: '127.0.0.1', port: server.port, tls: 'none' });
 * await pop3.list(); // MAIL_RESPONSE_TOO_LARGE
 * await server.close();
 * ```
 */
export function startHostilePop3Server(options: HostilePop3ServerOptions): Promise<HostileServer> {
  const { behaviour } = options;
  return startHostileServer((session) => {
    const { socket } = session;
    socket.write('+OK hostile POP3 ready\r\n');
    session.onLine((line) => {
      const command = line.split(' ')[0]!.toUpperCase();
      switch (command) {
        case 'CAPA':
          if (behaviour === 'endless-capa') {
            socket.write('+OK\r\n');
            void session.flood(Buffer.from('X-HOSTILE-CAPABILITY padding padding padding\r\n'));
          } else if (behaviour === 'endless-line') {
            socket.write('+OK\r\n');
            void session.flood(Buffer.from('X'.repeat(1024)));
          } else {
            socket.write(CAPABILITIES);
          }
          return;
        case 'AUTH':
          socket.write('+OK logged in\r\n');
          return;
        case 'STAT':
          socket.write('+OK 1 1000\r\n');
          return;
        case 'LIST':
        case 'UIDL':
          socket.write('+OK\r\n');
          if (behaviour === `endless-${command.toLowerCase()}`) {
            void session.flood(Buffer.from(command === 'LIST' ? '1 1000\r\n' : '1 hostile-unique-id\r\n'));
          } else {
            socket.write(command === 'LIST' ? '1 1000\r\n.\r\n' : '1 unique-id-1\r\n.\r\n');
          }
          return;
        case 'RETR':
          socket.write('+OK message follows\r\n');
          if (behaviour === 'endless-retr') {
            void session.flood(Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n'));
          } else {
            socket.write('Subject: fine\r\n\r\nfine\r\n.\r\n');
          }
          return;
        case 'QUIT':
          socket.end('+OK bye\r\n');
          return;
        default:
          socket.write('+OK\r\n');
      }
    });
  }, options.floodLimit ?? DEFAULT_FLOOD_LIMIT);
}
