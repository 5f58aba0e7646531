/**
 * The options and credentials a {@link Pop3Client} takes.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import type { MailTls, TransportSecurityOptions } from '../mail-server.js';

/**
 * Options of {@link Pop3Client.connect}.
 *
 * @example
 * ```ts
 * const pop3 = await Pop3Client.connect({ host: 'pop.example.com', port: 995, tls: 'implicit', commandTimeout: 20_000 });
 * ```
 */
export interface Pop3ConnectionOptions extends TransportSecurityOptions {
  /** The server host name or address. */
  host: string;
  /** The server port. */
  port: number;
  /** How the connection is secured. Default: `implicit` on port 995, else `starttls` (STLS) */
  tls?: MailTls;
  /** Options for `tls.connect` (`ca`, `servername`, `minVersion`, …), for implicit TLS and STLS alike. */
  tlsOptions?: Omit<ConnectionOptions, 'host' | 'port' | 'socket'>;
  /** Time allowed for connecting: TCP, TLS, greeting and STLS, in ms. Default: 30 000 */
  connectTimeout?: number;
  /** Time allowed for each reply line of a command, in ms. Default: 60 000 */
  commandTimeout?: number;
  /** The longest reply line accepted, in bytes. Default: 1 MiB */
  maxLineLength?: number;
  /** Cancels connecting. */
  signal?: AbortSignal;
}

/**
 * Options of each command.
 *
 * @example
 * ```ts
 * const { count } = await pop3.stat({ signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface Pop3CommandOptions {
  /** Cancels the command; the connection is closed, since its state is then unknown. */
  signal?: AbortSignal;
}

/**
 * The credentials for {@link Pop3Client.authenticate}.
 *
 * @example
 * ```ts
 * await pop3.authenticate('XOAUTH2', { user: 'me@example.com', token: await manager.getAccessToken() });
 * ```
 */
export interface Pop3Credentials {
  /** The mailbox user, usually the e-mail address. */
  user: string;
  /** The access token. */
  token: string;
}
