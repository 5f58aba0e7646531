/**
 * The transport under a {@link Pop3Client}: the socket (plain, implicit TLS, or upgraded with STLS),
 * the greeting, the time limits, and reading status lines and multi-line blocks. It knows nothing of
 * the commands; the client runs those one after another on top of it.
 *
 * @module
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { AuthorizerError, abortError, OAUTH_NETWORK_ERROR, OAUTH_TIMEOUT } from '@oauth-authorizer/core';
import { MAIL_TLS_UNAVAILABLE, MailResponseTooLargeError, Pop3Error } from '../errors.js';
import type { MailTls } from '../mail-server.js';
import { LineReader } from './line-reader.js';
import {
  DEFAULT_POP3_MAX_LINE_LENGTH,
  DEFAULT_POP3_MAX_MESSAGE_SIZE,
  DEFAULT_POP3_MAX_RESPONSE_SIZE,
  type Pop3ConnectionOptions,
  sizeLimit,
} from './options.js';
import {
  isTerminator,
  type Pop3StatusLine,
  parseStatusLine,
  protocolError,
  unstuffLine,
} from './response-parser.js';

/** Resolves when `socket` has connected (and finished its TLS handshake, for a TLS socket). */
function connected(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      socket.removeListener(event, onReady);
      reject(error);
    };
    const onReady = () => {
      socket.removeListener('error', onError);
      resolve();
    };
    socket.once(event, onReady);
    socket.once('error', onError);
  });
}

/** One POP3 connection: open it, write command lines, read reply lines; any failure closes it for good. */
export class Pop3Connection {
  readonly host: string;
  readonly port: number;
  readonly tls: MailTls;
  #greeting = '';
  #socket: Socket | undefined;
  readonly #reader: LineReader;
  readonly #commandTimeout: number;
  readonly #maxResponseSize: number;
  /** The connection's default for `retrieveMessage()`. */
  readonly maxMessageSize: number;
  readonly #options: Pop3ConnectionOptions;
  #closed = false;
  /** Rejects with the reason once the connection has failed or closed; raced against waits that are not line reads. */
  readonly #failed: Promise<never>;
  #rejectFailed!: (error: Error) => void;

  constructor(options: Pop3ConnectionOptions, tls: MailTls) {
    this.host = options.host;
    this.port = options.port;
    this.tls = tls;
    this.#options = options;
    this.#commandTimeout = options.commandTimeout ?? 60_000;
    this.#reader = new LineReader(
      sizeLimit('maxLineLength', options.maxLineLength, DEFAULT_POP3_MAX_LINE_LENGTH),
    );
    this.#maxResponseSize = sizeLimit(
      'maxResponseSize',
      options.maxResponseSize,
      DEFAULT_POP3_MAX_RESPONSE_SIZE,
    );
    this.maxMessageSize = sizeLimit('maxMessageSize', options.maxMessageSize, DEFAULT_POP3_MAX_MESSAGE_SIZE);
    this.#failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    // Nobody may be waiting when the connection fails; that is not an unhandled rejection.
    this.#failed.catch(() => {});
  }

  /** The server's greeting, without `+OK`. */
  get greeting(): string {
    return this.#greeting;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Connects, reads the greeting and, for `tls: 'starttls'`, upgrades with STLS. */
  async open(): Promise<void> {
    const { signal } = this.#options;
    if (signal?.aborted) throw abortError(signal, 'POP3 connect');
    const timeout = this.#options.connectTimeout ?? 30_000;
    const timer = setTimeout(() => {
      this.destroy(
        new AuthorizerError(
          OAUTH_TIMEOUT,
          `POP3 connect to ${this.host}:${this.port} took longer than ${timeout} ms`,
          {
            transient: true,
          },
        ),
      );
    }, timeout);
    const onAbort = () => this.destroy(abortError(signal!, 'POP3 connect'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // SNI takes host names only (RFC 6066 §3); for an address, the certificate is checked against the IP.
      const servername = isIP(this.host) ? undefined : this.host;
      const tlsOptions = { host: this.host, ...(servername && { servername }), ...this.#options.tlsOptions };
      const socket =
        this.tls === 'implicit'
          ? tlsConnect({ ...tlsOptions, port: this.port })
          : netConnect({ host: this.host, port: this.port });
      this.#use(socket);
      await this.#settled(connected(socket, this.tls === 'implicit' ? 'secureConnect' : 'connect'));
      const greeting = await this.readStatus('greeting');
      this.#greeting = greeting.text;
      if (this.tls === 'starttls') {
        this.write('STLS');
        const reply = await this.readStatus('STLS', { allowError: true });
        if (reply.status !== '+OK') {
          throw new AuthorizerError(
            MAIL_TLS_UNAVAILABLE,
            `POP3 server ${this.host}:${this.port} refused STLS (${reply.text.slice(0, 120)})`,
            { hint: `use tls: 'implicit' (usually port 995)` },
          );
        }
        // Anything the server sent after +OK and before the handshake would be read as if it came
        // over TLS: the STARTTLS response-injection attack (CVE-2011-0411 and kin).
        if (this.#reader.hasUnread) throw protocolError('sent data after its STLS reply');
        this.#reader.detach();
        const secure = tlsConnect({ ...tlsOptions, socket });
        this.#use(secure);
        await this.#settled(connected(secure, 'secureConnect'));
      }
    } catch (error) {
      this.destroy(error as Error);
      throw this.#reader.failure ?? error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Waits for `promise`, or fails as soon as the connection fails (timeout, abort, close). */
  #settled<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([
      promise.catch((error: unknown) => Promise.reject(this.#networkError(error))),
      this.#failed,
    ]);
  }

  #networkError(error: unknown): AuthorizerError {
    if (error instanceof AuthorizerError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new AuthorizerError(
      OAUTH_NETWORK_ERROR,
      `POP3 connection to ${this.host}:${this.port} failed: ${reason}`,
      {
        cause: error,
        transient: true,
      },
    );
  }

  #use(socket: Socket): void {
    this.#socket = socket;
    // Commands are small and strictly alternate with replies: Nagle's algorithm would only add delay.
    socket.setNoDelay(true);
    this.#reader.attach(socket);
    socket.on('error', (error) => this.destroy(this.#networkError(error)));
    socket.on('close', () => {
      this.#fail(
        new AuthorizerError(
          OAUTH_NETWORK_ERROR,
          `POP3 server ${this.host}:${this.port} closed the connection`,
          {
            transient: true,
          },
        ),
      );
    });
  }

  #fail(error: Error): void {
    this.#closed = true;
    this.#reader.fail(error);
    this.#rejectFailed(this.#reader.failure ?? error);
  }

  /** Closes the connection; every read waiting now or later rejects with the first failure. */
  destroy(error: Error): void {
    this.#fail(error);
    this.#socket?.destroy();
  }

  /** Sends one line; CRLF is added. */
  write(line: string): void {
    if (this.#closed || !this.#socket) throw this.#reader.failure ?? protocolError('connection is closed');
    this.#socket.write(`${line}\r\n`);
  }

  /** Reads one line, failing after `commandTimeout` or on abort (both close the connection). */
  readLine(command: string, signal: AbortSignal | undefined): Promise<Buffer> {
    return this.#reader.read(command, {
      timeout: this.#commandTimeout,
      signal,
      onFailure: (error) => this.destroy(error),
    });
  }

  /** A line that has already arrived, if any. */
  take(): Buffer | undefined {
    return this.#reader.take();
  }

  /** Reads a status line; `-ERR` throws a {@link Pop3Error} unless `allowError`. */
  async readStatus(
    command: string,
    options: { signal?: AbortSignal | undefined; allowError?: boolean } = {},
  ): Promise<Pop3StatusLine> {
    const line = (await this.readLine(command, options.signal)).toString('utf8');
    let status: Pop3StatusLine;
    try {
      status = parseStatusLine(line);
    } catch (error) {
      this.destroy(error as Error);
      throw error;
    }
    if (status.status === '-ERR' && !options.allowError) {
      throw new Pop3Error(command, status.text, status.responseCode);
    }
    return status;
  }

  /**
   * Reads the lines of a multi-line block up to its terminating `.`, dot-stuffing removed. A block
   * over `maxResponseSize` bytes (CRLFs counted) closes the connection: its end may never come.
   *
   * @throws {MailResponseTooLargeError} `MAIL_RESPONSE_TOO_LARGE` past the limit.
   */
  async readMultiline(command: string, signal: AbortSignal | undefined): Promise<Buffer[]> {
    const lines: Buffer[] = [];
    let size = 0;
    for (;;) {
      const line = await this.readLine(command, signal);
      if (isTerminator(line)) return lines;
      size += line.length + 2;
      if (size > this.#maxResponseSize) {
        throw this.tooLarge(`a ${command} reply`, this.#maxResponseSize, 'maxResponseSize');
      }
      lines.push(unstuffLine(line));
    }
  }

  /** Closes the connection with a {@link MailResponseTooLargeError} for `what`, and returns the error. */
  tooLarge(what: string, limit: number, option: string): MailResponseTooLargeError {
    const error = new MailResponseTooLargeError(
      `POP3 server ${this.host}:${this.port} sent ${what} larger than ${limit} bytes (${option}); the connection was closed`,
      { protocol: 'pop3', limit, option },
    );
    this.destroy(error);
    return error;
  }
}
