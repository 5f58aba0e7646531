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
  /** The longest reply line accepted, in bytes, in every state and reply. Default: 1 MiB */
  maxLineLength?: number;
  /**
   * The most a collected multi-line reply (CAPA, LIST, UIDL) may hold, in bytes, its lines' CRLFs
   * included. A larger one ends in `MAIL_RESPONSE_TOO_LARGE` and closes the connection.
   * `Infinity` turns the limit off. Default: 1 MiB (about 40 000 LIST lines)
   */
  maxResponseSize?: number;
  /**
   * The largest message {@link Pop3Client.retrieveMessage} collects into memory, in bytes after
   * dot-unstuffing, CRLFs included; each call may pass its own. A larger one ends in
   * `MAIL_RESPONSE_TOO_LARGE` and closes the connection. `retrieve()` streams and has no limit.
   * `Infinity` turns the limit off. Default: 64 MiB
   */
  maxMessageSize?: number;
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
 * Options of {@link Pop3Client.retrieveMessage}.
 *
 * @example
 * ```ts
 * const raw = await pop3.retrieveMessage(1, { maxMessageSize: 256 * 1024 * 1024 });
 * ```
 */
export interface Pop3RetrieveOptions extends Pop3CommandOptions {
  /** The largest message accepted, in bytes. Default: the connection's `maxMessageSize` (64 MiB) */
  maxMessageSize?: number;
}

/** Default of `maxLineLength`: 1 MiB. */
export const DEFAULT_POP3_MAX_LINE_LENGTH = 1024 * 1024;
/** Default of `maxResponseSize`: 1 MiB. */
export const DEFAULT_POP3_MAX_RESPONSE_SIZE = 1024 * 1024;
/** Default of `maxMessageSize`: 64 MiB. */
export const DEFAULT_POP3_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/**
 * Checks a size limit option: a positive integer, or `Infinity` for none; `undefined` gives the default.
 *
 * @throws {TypeError} for anything else.
 */
export function sizeLimit(name: string, value: unknown, defaultValue: number): number {
  if (value === undefined) return defaultValue;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`POP3 "${name}" must be a positive integer or Infinity, got ${String(value)}`);
  }
  return value;
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
