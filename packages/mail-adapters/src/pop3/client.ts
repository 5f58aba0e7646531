import { isIP, connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import {
  AuthorizerError,
  OAUTH_ABORTED,
  OAUTH_NETWORK_ERROR,
  OAUTH_TIMEOUT,
  OAUTH_TOKEN_REJECTED,
} from '@oauth-authorizer/core';
import {
  MAIL_AUTH_FAILED,
  MAIL_TLS_UNAVAILABLE,
  MailAuthenticationError,
  Pop3Error,
  redact,
} from '../errors.js';
import { checkMailServer, defaultTls, type MailTls, type TransportSecurityOptions } from '../mail-server.js';
import {
  decodeSaslErrorChallenge,
  type SaslErrorChallenge,
  type SaslMechanism,
  saslErrorAcknowledgement,
  saslInitialResponse,
} from '../sasl.js';
import {
  isTerminator,
  type Pop3Capabilities,
  Pop3LineSplitter,
  type Pop3ListEntry,
  type Pop3MaildropStatus,
  type Pop3StatusLine,
  type Pop3UidlEntry,
  parseCapabilities,
  parseListLine,
  parseStat,
  parseStatusLine,
  parseUidlLine,
  protocolError,
  unstuffLine,
} from './response-parser.js';

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

const CRLF = Buffer.from('\r\n');
/** RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
const MAX_COMMAND_LINE = 255;
/** Lines buffered before the socket is paused; a reader that lags makes the server wait. */
const HIGH_WATER_LINES = 512;
/** Buffers (line, CRLF, line, …) joined into one chunk of a RETR stream. */
const RETR_BATCH_PARTS = 1024;

/** Turns the socket's byte stream into lines that commands read one at a time, with backpressure. */
class LineReader {
  readonly #splitter: Pop3LineSplitter;
  #lines: Buffer[] = [];
  #socket: Socket | undefined;
  #paused = false;
  #waiter: { resolve: (line: Buffer) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;

  constructor(maxLineLength: number) {
    this.#splitter = new Pop3LineSplitter(maxLineLength);
  }

  readonly #onData = (chunk: Buffer) => {
    let lines: Buffer[];
    try {
      lines = this.#splitter.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      this.#socket?.destroy();
      return;
    }
    for (const line of lines) this.#lines.push(line);
    if (this.#lines.length > HIGH_WATER_LINES && !this.#paused) {
      this.#paused = true;
      this.#socket?.pause();
    }
    this.#wake();
  };

  attach(socket: Socket): void {
    this.#socket = socket;
    socket.on('data', this.#onData);
  }

  /** Stops reading from the current socket (before STLS hands it to TLS). */
  detach(): void {
    this.#socket?.removeListener('data', this.#onData);
    this.#socket = undefined;
  }

  /** Whether bytes arrived that no command asked for. */
  get hasUnread(): boolean {
    return this.#lines.length > 0 || this.#splitter.pendingBytes > 0;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#failure);
  }

  /** A line that has already arrived, if any. */
  take(): Buffer | undefined {
    const line = this.#lines.shift();
    if (line !== undefined && this.#paused && this.#lines.length < HIGH_WATER_LINES / 2) {
      this.#paused = false;
      this.#socket?.resume();
    }
    return line;
  }

  next(): Promise<Buffer> {
    const line = this.take();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #wake(): void {
    if (!this.#waiter || this.#lines.length === 0) return;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    void this.next().then(waiter.resolve, waiter.reject);
  }
}

function assertMessageNumber(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`POP3 message number must be a positive integer, got ${String(value)}`);
  }
}

function abortError(what: string, signal: AbortSignal): AuthorizerError {
  return new AuthorizerError(OAUTH_ABORTED, `${what} was aborted`, { cause: signal.reason });
}

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

function transientAuthFailure(responseCode: string | undefined): boolean {
  // RFC 3206/2449: the server cannot check credentials right now, or the mailbox is busy; a new
  // token would not help.
  return responseCode === 'SYS/TEMP' || responseCode === 'IN-USE' || responseCode === 'LOGIN-DELAY';
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
  #greeting = '';
  #socket: Socket | undefined;
  readonly #reader: LineReader;
  readonly #commandTimeout: number;
  readonly #options: Pop3ConnectionOptions;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Rejects with the reason once the connection has failed or closed; raced against waits that are not line reads. */
  readonly #failed: Promise<never>;
  #rejectFailed!: (error: Error) => void;

  private constructor(options: Pop3ConnectionOptions, tls: MailTls) {
    this.host = options.host;
    this.port = options.port;
    this.tls = tls;
    this.#options = options;
    this.#commandTimeout = options.commandTimeout ?? 60_000;
    this.#reader = new LineReader(options.maxLineLength ?? 1024 * 1024);
    this.#failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    // Nobody may be waiting when the connection fails; that is not an unhandled rejection.
    this.#failed.catch(() => {});
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
    const client = new Pop3Client(options, tls);
    await client.#open();
    return client;
  }

  /** The server's greeting, without `+OK`. */
  get greeting(): string {
    return this.#greeting;
  }

  /** Whether the connection is closed (by `quit()`, `close()`, the server, or an error). */
  get closed(): boolean {
    return this.#closed;
  }

  async #open(): Promise<void> {
    const { signal } = this.#options;
    if (signal?.aborted) throw abortError('POP3 connect', signal);
    const timeout = this.#options.connectTimeout ?? 30_000;
    const timer = setTimeout(() => {
      this.#destroy(
        new AuthorizerError(
          OAUTH_TIMEOUT,
          `POP3 connect to ${this.host}:${this.port} took longer than ${timeout} ms`,
          {
            transient: true,
          },
        ),
      );
    }, timeout);
    const onAbort = () => this.#destroy(abortError('POP3 connect', signal!));
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
      const greeting = await this.#readStatus('greeting');
      this.#greeting = greeting.text;
      if (this.tls === 'starttls') {
        this.#write('STLS');
        const reply = await this.#readStatus('STLS', { allowError: true });
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
      this.#destroy(error as Error);
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
    socket.on('error', (error) => this.#destroy(this.#networkError(error)));
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

  #destroy(error: Error): void {
    this.#fail(error);
    this.#socket?.destroy();
  }

  #write(line: string): void {
    if (this.#closed || !this.#socket) throw this.#reader.failure ?? protocolError('connection is closed');
    this.#socket.write(`${line}\r\n`);
  }

  /** Reads one line, failing after `commandTimeout` or on abort (both close the connection). */
  async #readLine(command: string, signal: AbortSignal | undefined): Promise<Buffer> {
    if (signal?.aborted) {
      const error = abortError(`POP3 ${command}`, signal);
      this.#destroy(error);
      throw error;
    }
    // Lines of a long message mostly arrive before they are asked for: no timer needed for those.
    const ready = this.#reader.take();
    if (ready !== undefined) return ready;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AuthorizerError(
          OAUTH_TIMEOUT,
          `POP3 server did not answer ${command} within ${this.#commandTimeout} ms`,
          { transient: true },
        );
        this.#destroy(error);
        reject(error);
      }, this.#commandTimeout);
      if (signal) {
        onAbort = () => {
          const error = abortError(`POP3 ${command}`, signal);
          this.#destroy(error);
          reject(error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      return await Promise.race([this.#reader.next(), guard]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async #readStatus(
    command: string,
    options: { signal?: AbortSignal | undefined; allowError?: boolean } = {},
  ): Promise<Pop3StatusLine> {
    const line = (await this.#readLine(command, options.signal)).toString('utf8');
    let status: Pop3StatusLine;
    try {
      status = parseStatusLine(line);
    } catch (error) {
      this.#destroy(error as Error);
      throw error;
    }
    if (status.status === '-ERR' && !options.allowError) {
      throw new Pop3Error(command, status.text, status.responseCode);
    }
    return status;
  }

  async #readMultiline(command: string, signal: AbortSignal | undefined): Promise<Buffer[]> {
    const lines: Buffer[] = [];
    for (;;) {
      const line = await this.#readLine(command, signal);
      if (isTerminator(line)) return lines;
      lines.push(unstuffLine(line));
    }
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
      this.#write(line);
      return this.#readStatus(command, { signal: options.signal });
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
      this.#write('CAPA');
      const status = await this.#readStatus('CAPA', { signal: options.signal, allowError: true });
      if (status.status !== '+OK') return new Map();
      const lines = await this.#readMultiline('CAPA', options.signal);
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
    return this.#exclusive(async () => {
      const command = `AUTH ${mechanism}`;
      const read = () => this.#readStatus(command, { signal: options.signal, allowError: true });
      let reply: Pop3StatusLine;
      if (command.length + 1 + initial.length + CRLF.length <= MAX_COMMAND_LINE) {
        this.#write(`${command} ${initial}`);
        reply = await read();
      } else {
        this.#write(command);
        reply = await read();
        if (reply.status === '+' && reply.text.trim() === '') {
          this.#write(initial);
          reply = await read();
        }
      }
      if (reply.status === '+OK') return;
      let challenge: SaslErrorChallenge | undefined;
      let challengeError: unknown;
      if (reply.status === '+') {
        try {
          challenge = decodeSaslErrorChallenge(reply.text);
        } catch (error) {
          challengeError = error;
        }
        this.#write(saslErrorAcknowledgement(mechanism));
        reply = await read();
        if (reply.status === '+') {
          // RFC 5034 §4: "*" cancels an exchange the server insists on continuing.
          this.#write('*');
          reply = await read();
        }
        if (reply.status === '+OK') return;
      }
      const serverReply = redact(
        `-ERR${reply.responseCode ? ` [${reply.responseCode}]` : ''}${reply.text ? ` ${reply.text}` : ''}`,
        token,
      );
      const transient = transientAuthFailure(reply.responseCode);
      const detail = challenge ? ` (challenge status "${challenge.status}")` : '';
      throw new MailAuthenticationError(
        transient
          ? `POP3 server ${this.host} could not log ${user} in right now (${command}): ${serverReply}`
          : `POP3 server ${this.host} rejected the access token for ${user} (${command}): ${serverReply}${detail}`,
        {
          code: transient ? MAIL_AUTH_FAILED : OAUTH_TOKEN_REJECTED,
          transient,
          protocol: 'pop3',
          user,
          mechanism,
          serverReply,
          challenge,
          ...(challengeError !== undefined && { cause: challengeError }),
        },
      );
    });
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
      this.#write(command);
      await this.#readStatus(command, { signal: options.signal });
      const lines = await this.#readMultiline(command, options.signal);
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
      this.#write(`RETR ${messageNumber}`);
      await this.#readStatus('RETR', { signal: options.signal });
    } catch (error) {
      release();
      throw error;
    }
    let pumping = false;
    let discarding = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      release();
    };
    const pump = async (): Promise<void> => {
      if (pumping || finished) return;
      pumping = true;
      try {
        for (;;) {
          let line: Buffer | undefined = await this.#readLine('RETR', options.signal);
          // Lines that have already arrived go out together: one chunk per batch, not per line.
          const parts: Buffer[] = [];
          let ended = false;
          while (line !== undefined) {
            if (isTerminator(line)) {
              ended = true;
              break;
            }
            if (!discarding) parts.push(unstuffLine(line), CRLF);
            if (parts.length >= RETR_BATCH_PARTS) break;
            line = this.#reader.take();
          }
          const wantsMore = parts.length === 0 || discarding || stream.push(Buffer.concat(parts));
          if (ended) {
            if (!discarding) stream.push(null);
            finish();
            return;
          }
          if (!wantsMore) return;
        }
      } catch (error) {
        if (!discarding) stream.destroy(error as Error);
        finish();
      } finally {
        pumping = false;
      }
    };
    const stream = new Readable({
      read() {
        void pump();
      },
      destroy(error, callback) {
        if (!finished) {
          discarding = true;
          void pump();
        }
        callback(error);
      },
    });
    return stream;
  }

  /**
   * Retrieves a whole message (RETR) into memory.
   *
   * @throws {Pop3Error} on `-ERR` (e.g. no such message).
   * @example
   * ```ts
   * const raw = (await pop3.retrieveMessage(1)).toString('utf8');
   * ```
   */
  async retrieveMessage(messageNumber: number, options: Pop3CommandOptions = {}): Promise<Buffer> {
    const stream = await this.retrieve(messageNumber, options);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
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
    if (this.#closed) return;
    try {
      await this.#simple('QUIT', 'QUIT', options);
    } finally {
      // The server has finished its UPDATE state before it answers QUIT: nothing is left to wait for.
      this.#destroy(
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
    this.#destroy(
      new AuthorizerError(
        OAUTH_NETWORK_ERROR,
        `POP3 connection to ${this.host}:${this.port} was closed by the client`,
      ),
    );
  }
}
