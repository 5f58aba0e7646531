import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { AuthorizerError } from '@oauth-authorizer/core';
import type { UpstreamServer } from './config.js';
import { MAIL_PROXY_UPSTREAM_UNAVAILABLE } from './errors.js';
import type { UpstreamReads } from './upstream-reads.js';

/** The upstream server with its CA certificate loaded. */
export interface UpstreamTarget extends UpstreamServer {
  /** The CA certificate(s) (PEM) to trust instead of the system's. */
  ca?: string;
}

/**
 * The upstream server cannot be used right now (refused, unreachable, TLS failure, timeout, a
 * greeting that says no): code `MAIL_PROXY_UPSTREAM_UNAVAILABLE`, transient. The client gets a
 * temporary failure (SMTP 4xx, IMAP `NO [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`).
 */
export class UpstreamUnavailableError extends AuthorizerError {
  constructor(target: UpstreamServer, detail: string, cause?: unknown) {
    super(MAIL_PROXY_UPSTREAM_UNAVAILABLE, `upstream ${target.host}:${target.port}: ${detail}`, {
      transient: true,
      ...(cause !== undefined && { cause }),
    });
    this.name = 'UpstreamUnavailableError';
  }
}

function tlsOptions(target: UpstreamTarget) {
  const servername = target.servername ?? (isIP(target.host) ? undefined : target.host);
  return {
    host: target.servername ?? target.host,
    ...(servername !== undefined && { servername }),
    ...(target.ca !== undefined && { ca: target.ca }),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
  };
}

function settle<T extends Socket>(
  socket: T,
  event: string,
  target: UpstreamServer,
  what: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamUnavailableError(target, `${what} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new UpstreamUnavailableError(target, `${what} failed: ${error.message}`, error));
    };
    socket.once('error', onError);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Opens a connection to the upstream server: TLS from the first byte for `implicit` (certificate
 * and name verified), plain TCP for `starttls` (upgraded later with {@link upgradeUpstream}) and
 * `none` (loopback only, checked by the configuration). The socket reads through `reads`.
 *
 * @throws {UpstreamUnavailableError} when it cannot connect within `timeoutMs`.
 */
export function connectUpstream(
  target: UpstreamTarget,
  timeoutMs: number,
  reads: UpstreamReads,
): Promise<Socket> {
  const { onread } = reads;
  if (target.tls === 'implicit') {
    // Node's TLS sockets take `onread` too; its typings only list it for plain sockets.
    const options = { ...tlsOptions(target), port: target.port, host: target.host, onread };
    const socket = reads.attach(tlsConnect(options), true);
    return settle(socket, 'secureConnect', target, 'TLS connection', timeoutMs);
  }
  const socket = reads.attach(tcpConnect({ host: target.host, port: target.port, onread }), true);
  return settle(socket, 'connect', target, 'connection', timeoutMs);
}

/**
 * Starts TLS on a connection after the server said yes to STARTTLS/STLS, verifying the
 * certificate and name as for implicit TLS.
 *
 * @throws {UpstreamUnavailableError} when the handshake fails.
 */
export function upgradeUpstream(
  socket: Socket,
  target: UpstreamTarget,
  timeoutMs: number,
  reads: UpstreamReads,
): Promise<TLSSocket> {
  // Node reads a TLS socket on an existing connection its own way, whatever `onread` says.
  const secure = reads.attach(tlsConnect({ ...tlsOptions(target), socket }), false);
  return settle(secure, 'secureConnect', target, 'STARTTLS handshake', timeoutMs);
}
