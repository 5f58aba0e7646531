/**
 * An IMAP server that misbehaves on purpose: its first reply is one line that never ends, or
 * announces a literal of 1 GiB (imapflow's own limit, so imapflow alone would accept it) and then
 * sends it. A test checks that the client's memory stays bounded and that it fails with a typed error.
 *
 * @module
 */
import { DEFAULT_FLOOD_LIMIT, type HostileServer, startHostileServer } from './hostile-stream.js';

/**
 * What the server sends after the TCP connection opens:
 * - `endless-line`: a greeting `* OK ` followed by bytes without CRLF, without end;
 * - `huge-literal`: a greeting, then `* CAPABILITY {1073741824}` and the literal's bytes.
 */
export type HostileImapBehaviour = 'endless-line' | 'huge-literal';

/** Options of {@link startHostileImapServer}. */
export interface HostileImapServerOptions {
  behaviour: HostileImapBehaviour;
  /** The most one connection's flood writes, in bytes. Default: 2 GiB */
  floodLimit?: number;
}

/** The literal size `huge-literal` announces: 1 GiB, exactly imapflow's default `maxLiteralSize`. */
export const HOSTILE_IMAP_LITERAL_SIZE = 1024 * 1024 * 1024;

/**
 * Starts the server on 127.0.0.1 (plain text: connect with `tls: 'none'`).
 *
 * @example
 * ```ts
 * const server = await startHostileImapServer({ behaviour: 'endless-line' });
 * await connectImapFlow(source, { user, host: '127.0.0.1', port: server.port, tls: 'none' }); // MAIL_PROTOCOL_ERROR
 * await server.close();
 * ```
 */
export function startHostileImapServer(options: HostileImapServerOptions): Promise<HostileServer> {
  const { behaviour } = options;
  return startHostileServer((session) => {
    session.onLine(() => {});
    if (behaviour === 'endless-line') {
      session.socket.write('* OK ');
      void session.flood(Buffer.from('hostile '.repeat(128)));
    } else {
      session.socket.write(
        `* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready\r\n* CAPABILITY {${HOSTILE_IMAP_LITERAL_SIZE}}\r\n`,
      );
      void session.flood(Buffer.from('literal '.repeat(128)));
    }
  }, options.floodLimit ?? DEFAULT_FLOOD_LIMIT);
}
