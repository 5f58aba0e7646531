/**
 * The POP3 commands (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH), run one after another on a
 * {@link Pop3Connection}.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { AuthorizerError, OAUTH_NETWORK_ERROR } from '@oauth-authorizer/core';
import { checkMailServer, defaultTls, type MailTls } from '../mail-server.js';
import { type SaslMechanism, saslInitialResponse } from '../sasl.js';
import { runSaslExchange } from './authenticate.js';
import { Pop3Connection } from './connection.js';
import type {
  Pop3CommandOptions,
  Pop3ConnectionOptions,
  Pop3Credentials,
  Pop3RetrieveOptions,
} from './options.js';
import { sizeLimit } from './options.js';
import {
  type Pop3Capabilities,
  type Pop3ListEntry,
  type Pop3MaildropStatus,
  type Pop3StatusLine,
  type Pop3UidlEntry,
  parseCapabilities,
  parseListLine,
  parseStat,
  parseUidlLine,
} from './response-parser.js';
import { messageStream } from './retrieve-stream.js';

export type {
  Pop3CommandOptions,
  Pop3ConnectionOptions,
  Pop3Credentials,
  Pop3RetrieveOptions,
} from './options.js';

function assertMessageNumber(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`POP3 message number must be a positive integer, got ${String(value)}`);
  }
}

/**
 * A small POP3 client (RFC 1939) with OAuth2 SASL (RFC 5034 with XOAUTH2 or OAUTHBEARER), implicit
 * TLS or STLS (RFC 2595), timeouts on connecting and on every reply, and RETR as a stream with
 * dot-unstuffing. Commands run one after another; calls made while one runs wait their turn.
 * {@link connectPop3} connects and authenticates with a token source, refreshing once on rejection.
 *
 * @example
 * ```ts
 * const pop3 = await Pop3Client.connect({ host: 'pop.example.com', port: 995, tls: 'implicit' });
 * await pop3.authenticate('XOAUTH2', { user: 'me@example.com', token });
 * const { count } = await pop3.stat();
 * const message = await pop3.retrieveMessage(1);
 * await pop3.quit();
 * ```
 */
export class Pop3Client {
  /** The host this client connected to. */
  readonly host: string;
  /** The port this client connected to. */
  readonly port: number;
  /** How the connection is secured. */
  readonly tls: MailTls;
  readonly #connection: Pop3Connection;
  #queue: Promise<void> = Promise.resolve();

  private constructor(connection: Pop3Connection) {
    this.host = connection.host;
    this.port = connection.port;
    this.tls = connection.tls;
    this.#connection = connection;
  }

  /**
   * Connects, reads the greeting and, for `tls: 'starttls'`, upgrades with STLS. Does not log in:
   * call {@link Pop3Client.authenticate} next.
   *
   * @throws {TypeError} for invalid options.
   * @throws {AuthorizerError} `OAUTH_INSECURE_ENDPOINT` for plain text to a non-loopback host;
   *   `OAUTH_NETWORK_ERROR` when the connection or the TLS handshake fails; `OAUTH_TIMEOUT` after
   *   `connectTimeout`; `OAUTH_ABORTED`; `MAIL_TLS_UNAVAILABLE` when the server refuses STLS;
   *   `MAIL_PROTOCOL_ERROR`; {@link Pop3Error} for a `-ERR` greeting.
   * @example
   * ```ts
   * const pop3 = await Pop3Client.connect({ host: 'pop.example.com', port: 110, tls: 'starttls' });
   * ```
   */
  static async connect(options: Pop3ConnectionOptions): Promise<Pop3Client> {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('POP3 options must be an object');
    const tls = options.tls ?? defaultTls(options.port);
    checkMailServer('pop3', { host: options.host, port: options.port, tls }, options);
    const connection = new Pop3Connection(options, tls);
    await connection.open();
    return new Pop3Client(connection);
  }

  /** The server's greeting, without `+OK`. */
  get greeting(): string {
    return this.#connection.greeting;
  }

  /** Whether the connection is closed (by `quit()`, `close()`, the server, or an error). */
  get closed(): boolean {
    return this.#connection.closed;
  }

  /** Waits for the commands before this one; resolves with the function that lets the next one run. */
  async #acquire(): Promise<() => void> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    return release;
  }

  async #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      return await run();
    } finally {
      release();
    }
  }

  /** Sends a command and reads its status line; `-ERR` throws a {@link Pop3Error}. */
  #simple(command: string, line: string, options: Pop3CommandOptions): Promise<Pop3StatusLine> {
    return this.#exclusive(async () => {
      this.#connection.write(line);
      return this.#connection.readStatus(command, { signal: options.signal });
    });
  }

  /**
   * The server's capabilities (CAPA, RFC 2449). A server without CAPA gives an empty map.
   *
   * @example
   * ```ts
   * const sasl = (await pop3.capabilities()).get('SASL'); // ['XOAUTH2', 'OAUTHBEARER']
   * ```
   */
  capabilities(options: Pop3CommandOptions = {}): Promise<Pop3Capabilities> {
    return this.#exclusive(async () => {
      this.#connection.write('CAPA');
      const status = await this.#connection.readStatus('CAPA', { signal: options.signal, allowError: true });
      if (status.status !== '+OK') return new Map();
      const lines = await this.#connection.readMultiline('CAPA', options.signal);
      return parseCapabilities(lines.map((line) => line.toString('utf8')));
    });
  }

  /**
   * Logs in with an OAuth2 SASL mechanism (RFC 5034). The initial response goes on the AUTH line
   * when the line stays within 255 octets (RFC 2449 §4), else after the server's empty `+`. On an
   * error challenge (`+ <base64 JSON>`) it decodes the challenge, ends the exchange as the mechanism
   * says and reads the server's `-ERR`.
   *
   * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` when the server refuses the token, with
   *   the server's reply and challenge; `MAIL_AUTH_FAILED` (transient) for `[SYS/TEMP]`,
   *   `[IN-USE]` or `[LOGIN-DELAY]`, where a new token would not help.
   * @example
   * ```ts
   * await pop3.authenticate('OAUTHBEARER', { user: 'me@example.com', token: await manager.getAccessToken() });
   * ```
   */
  authenticate(
    mechanism: SaslMechanism,
    credentials: Pop3Credentials,
    options: Pop3CommandOptions = {},
  ): Promise<void> {
    const { user, token } = credentials;
    const initial = saslInitialResponse(mechanism, { user, token, host: this.host, port: this.port });
    const exchange = {
      host: this.host,
      write: (line: string) => this.#connection.write(line),
      readReply: (command: string) =>
        this.#connection.readStatus(command, { signal: options.signal, allowError: true }),
    };
    return this.#exclusive(() => runSaslExchange(exchange, mechanism, { user, token, initial }));
  }

  /**
   * The number of messages and their total size (STAT).
   *
   * @throws {Pop3Error} on `-ERR`.
   * @example
   * ```ts
   * const { count, size } = await pop3.stat();
   * ```
   */
  async stat(options: Pop3CommandOptions = {}): Promise<Pop3MaildropStatus> {
    const reply = await this.#simple('STAT', 'STAT', options);
    return parseStat(reply.text);
  }

  /**
   * The size of every message (LIST), or of one message (LIST n).
   *
   * @throws {Pop3Error} on `-ERR` (e.g. no such message).
   * @example
   * ```ts
   * const sizes = await pop3.list();
   * const { size } = await pop3.list(1);
   * ```
   */
  list(options?: Pop3CommandOptions): Promise<Pop3ListEntry[]>;
  list(messageNumber: number, options?: Pop3CommandOptions): Promise<Pop3ListEntry>;
  list(
    numberOrOptions?: number | Pop3CommandOptions,
    maybeOptions: Pop3CommandOptions = {},
  ): Promise<Pop3ListEntry[] | Pop3ListEntry> {
    return this.#listing('LIST', numberOrOptions, maybeOptions, parseListLine);
  }

  /**
   * The unique id of every message (UIDL), or of one message (UIDL n).
   *
   * @throws {Pop3Error} on `-ERR` (e.g. no such message, or no UIDL support).
   * @example
   * ```ts
   * const seen = new Set(stored);
   * const fresh = (await pop3.uidl()).filter(({ uid }) => !seen.has(uid));
   * ```
   */
  uidl(options?: Pop3CommandOptions): Promise<Pop3UidlEntry[]>;
  uidl(messageNumber: number, options?: Pop3CommandOptions): Promise<Pop3UidlEntry>;
  uidl(
    numberOrOptions?: number | Pop3CommandOptions,
    maybeOptions: Pop3CommandOptions = {},
  ): Promise<Pop3UidlEntry[] | Pop3UidlEntry> {
    return this.#listing('UIDL', numberOrOptions, maybeOptions, parseUidlLine);
  }

  #listing<T>(
    command: 'LIST' | 'UIDL',
    numberOrOptions: number | Pop3CommandOptions | undefined,
    maybeOptions: Pop3CommandOptions,
    parse: (line: string) => T,
  ): Promise<T[] | T> {
    if (numberOrOptions !== undefined && typeof numberOrOptions !== 'object') {
      assertMessageNumber(numberOrOptions);
      return this.#simple(command, `${command} ${numberOrOptions}`, maybeOptions).then((reply) =>
        parse(reply.text),
      );
    }
    const options = numberOrOptions ?? {};
    return this.#exclusive(async () => {
      this.#connection.write(command);
      await this.#connection.readStatus(command, { signal: options.signal });
      const lines = await this.#connection.readMultiline(command, options.signal);
      return lines.map((line) => parse(line.toString('utf8')));
    });
  }

  /**
   * Retrieves a message (RETR) as a stream of its bytes, lines ending in CRLF, dot-stuffing
   * removed. Resolves once the server said `+OK`; the stream applies backpressure to the socket.
   * Later commands wait until the whole message has come in; destroying the stream early skips the
   * rest of the message and keeps the connection usable.
   *
   * @throws {Pop3Error} on `-ERR` (e.g. no such message).
   * @example
   * ```ts
   * const stream = await pop3.retrieve(1);
   * await pipeline(stream, createWriteStream('message.eml'));
   * ```
   */
  async retrieve(messageNumber: number, options: Pop3CommandOptions = {}): Promise<Readable> {
    assertMessageNumber(messageNumber);
    const release = await this.#acquire();
    try {
      this.#connection.write(`RETR ${messageNumber}`);
      await this.#connection.readStatus('RETR', { signal: options.signal });
    } catch (error) {
      release();
      throw error;
    }
    const lines = {
      read: () => this.#connection.readLine('RETR', options.signal),
      take: () => this.#connection.take(),
    };
    return messageStream(lines, release);
  }

  /**
   * Retrieves a whole message (RETR) into memory, at most `maxMessageSize` bytes of it (default:
   * the connection's, 64 MiB). A larger message closes the connection, since its end may never
   * come: check `list(n)` first to skip large ones, or read them with {@link Pop3Client.retrieve}.
   *
   * @throws {Pop3Error} on `-ERR` (e.g. no such message).
   * @throws {MailResponseTooLargeError} `MAIL_RESPONSE_TOO_LARGE` past `maxMessageSize`.
   * @throws {TypeError} for a `maxMessageSize` that is not a positive integer or `Infinity`.
   * @example
   * ```ts
   * const raw = (await pop3.retrieveMessage(1)).toString('utf8');
   * ```
   */
  async retrieveMessage(messageNumber: number, options: Pop3RetrieveOptions = {}): Promise<Buffer> {
    const { maxMessageSize: wanted, ...commandOptions } = options;
    const limit = sizeLimit('maxMessageSize', wanted, this.#connection.maxMessageSize);
    const stream = await this.retrieve(messageNumber, commandOptions);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > limit) throw this.#connection.tooLarge(`message ${messageNumber}`, limit, 'maxMessageSize');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, size);
  }

  /**
   * Marks a message as deleted (DELE); the server removes it at QUIT.
   *
   * @throws {Pop3Error} on `-ERR` (e.g. already deleted).
   * @example
   * ```ts
   * await pop3.delete(1);
   * await pop3.quit();
   * ```
   */
  async delete(messageNumber: number, options: Pop3CommandOptions = {}): Promise<void> {
    assertMessageNumber(messageNumber);
    await this.#simple('DELE', `DELE ${messageNumber}`, options);
  }

  /**
   * Unmarks every message marked as deleted (RSET).
   *
   * @example
   * ```ts
   * await pop3.reset();
   * ```
   */
  async reset(options: Pop3CommandOptions = {}): Promise<void> {
    await this.#simple('RSET', 'RSET', options);
  }

  /**
   * Does nothing but keep the connection alive (NOOP).
   *
   * @example
   * ```ts
   * await pop3.noop();
   * ```
   */
  async noop(options: Pop3CommandOptions = {}): Promise<void> {
    await this.#simple('NOOP', 'NOOP', options);
  }

  /**
   * Ends the session (QUIT): the server removes the messages marked as deleted, then the
   * connection closes. Safe to call on a closed client.
   *
   * @throws {Pop3Error} when the server answers `-ERR` (some deletions failed, RFC 1939 §6).
   * @example
   * ```ts
   * await pop3.quit();
   * ```
   */
  async quit(options: Pop3CommandOptions = {}): Promise<void> {
    if (this.#connection.closed) return;
    try {
      await this.#simple('QUIT', 'QUIT', options);
    } finally {
      // The server has finished its UPDATE state before it answers QUIT: nothing is left to wait for.
      this.#connection.destroy(
        new AuthorizerError(
          OAUTH_NETWORK_ERROR,
          `POP3 connection to ${this.host}:${this.port} was closed by QUIT`,
        ),
      );
    }
  }

  /**
   * Closes the connection at once, without QUIT: messages marked as deleted stay. Safe to call twice.
   *
   * @example
   * ```ts
   * pop3.close();
   * ```
   */
  close(): void {
    this.#connection.destroy(
      new AuthorizerError(
        OAUTH_NETWORK_ERROR,
        `POP3 connection to ${this.host}:${this.port} was closed by the client`,
      ),
    );
  }
}
