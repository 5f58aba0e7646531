/**
 * Binding the listener: one HTTP(S) server per address of the redirect URL, all on one port, and
 * errors that name the port and what to do.
 *
 * @module
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { AuthorizerError, OAUTH_LISTENER_FAILED } from '@oauth-authorizer/core';
import type { RedirectListenerHttpsOptions } from './listener-options.js';
import { SECURITY_HEADERS, strayPage } from './pages.js';
import type { RedirectTarget } from './redirect-url.js';

/** Attempts to find a port free on both families for `localhost` with port 0. */
const DUAL_STACK_ATTEMPTS = 10;

/** How a listener's servers are made. */
export interface ServerSettings {
  /** The longest request target accepted; the header limit leaves room so that 414 is what callers see. */
  maxUrlLength: number;
  /** The certificate for an `https:` redirect URL. */
  https: RedirectListenerHttpsOptions | undefined;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every open connection is added here, and removed when it closes. */
  sockets: Set<Socket>;
}

function hostForMessage(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function listenFailed(error: NodeJS.ErrnoException, address: string, port: number): AuthorizerError {
  const where = `${hostForMessage(address)}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: port ${port} is already in use; choose another port in the redirect URL, or port 0 for any free port`,
        {
          cause: error,
          hint: `another program holds port ${port}: put another port (or port 0) in the redirect URL`,
        },
      );
    case 'EACCES':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a port above 1023 in the redirect URL, or port 0`,
        { cause: error, hint: 'put a port above 1023 (or port 0) in the redirect URL' },
      );
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: the address ${hostForMessage(address)} does not exist on this machine`,
        { cause: error, hint: 'use 127.0.0.1 as the redirect URL host' },
      );
    default:
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: ${error.code ?? error.message}`,
        {
          cause: error,
        },
      );
  }
}

function listenOn(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}

/**
 * Stops `server` accepting connections; resolves when it has (at once when it is not listening).
 *
 * @example
 * ```ts
 * await Promise.all(servers.map(stopListening));
 * ```
 */
export function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/**
 * An HTTP(S) server for the listener. Requests Node cannot parse get a short 400 (431 for
 * oversized headers) with the security headers, and the connection is closed.
 *
 * @example
 * ```ts
 * const server = createListenerServer({ maxUrlLength: 8192, https: undefined, handler, sockets });
 * ```
 */
export function createListenerServer(settings: ServerSettings): Server {
  const { maxUrlLength, https, handler, sockets } = settings;
  // Node answers 431 on its own past maxHeaderSize; leave room so that our 414 is what callers see.
  const serverOptions = { maxHeaderSize: Math.max(16_384, maxUrlLength + 8192), keepAliveTimeout: 5000 };
  const server: Server = https
    ? (createHttpsServer({ ...serverOptions, ...https }, handler) as unknown as Server)
    : createHttpServer(serverOptions, handler);
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  if (https) server.on('secureConnection', track);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = strayPage('Bad request', 'This request could not be read.');
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'content-type: text/html; charset=utf-8\r\n' +
        Object.entries(SECURITY_HEADERS)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

/** What binding has got so far: the listening servers and their port. */
export interface Bound {
  servers: Server[];
  /** The port of the first server (0 until it listens). */
  port: number;
}

/**
 * Listens on every address of `target`, all on one port, filling `bound` as it goes (so a close
 * during binding finds every server that listens). With port 0 and several addresses
 * (`localhost`), a port free on the first family but taken on another is given up and another
 * one tried, up to 10 times. An address missing from the machine (no IPv6) is skipped; one
 * somebody else holds is an error, since it would hand them the code.
 *
 * @throws {AuthorizerError} `OAUTH_LISTENER_FAILED`, naming the port and what to do.
 * @example
 * ```ts
 * const bound: Bound = { servers: [], port: 0 };
 * await bindAll(target, () => createListenerServer(settings), bound);
 * ```
 */
export async function bindAll(
  target: RedirectTarget,
  createServer: () => Server,
  bound: Bound,
): Promise<void> {
  const { servers } = bound;
  const [first, ...others] = target.addresses;
  if (first === undefined) throw new Error('no address to listen on');
  const attempts = target.port === 0 && others.length > 0 ? DUAL_STACK_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const primary = createServer();
    try {
      bound.port = await listenOn(primary, first, target.port);
    } catch (error) {
      throw listenFailed(error as NodeJS.ErrnoException, first, target.port);
    }
    servers.push(primary);
    try {
      for (const address of others) {
        const server = createServer();
        try {
          await listenOn(server, address, bound.port);
          servers.push(server);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // A machine without IPv6 has no ::1: browsers there do not try it either. But a port
          // that somebody else holds on the other family would hand them the authorization code.
          if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') continue;
          throw listenFailed(error as NodeJS.ErrnoException, address, bound.port);
        }
      }
      return;
    } catch (error) {
      await Promise.all(servers.splice(0).map(stopListening));
      if (attempt >= attempts) throw error;
    }
  }
}
