import type { Socket } from 'node:net';
import { redact } from '@oauth-authorizer/core';
import { LineReader } from './line-reader.js';
import {
  connectUpstream,
  type UpstreamTarget,
  UpstreamUnavailableError,
  upgradeUpstream,
} from './upstream-connection.js';
import { UpstreamReads } from './upstream-reads.js';

/** The longest line the proxy reads from an upstream server before login (capability lists are long). */
const MAX_UPSTREAM_LINE = 64 * 1024;

/** A logged-in upstream connection, ready to relay. */
export interface UpstreamSession {
  socket: Socket;
  /** How the relay takes the server's bytes from `socket`. */
  reads: UpstreamReads;
  /** Bytes the server sent after its login reply, to relay first. */
  rest: Buffer;
  /** The server's capabilities after login (SMTP EHLO keywords, IMAP or POP3 capabilities). */
  capabilities: string[];
}

/** Credentials for one upstream login. */
export interface UpstreamCredentials {
  /** The SASL user (the mailbox). */
  mailbox: string;
  /** The access token. */
  token: string;
}

/** Options of an upstream login. */
export interface UpstreamLoginOptions {
  /** How long the server may take for each step, in ms. */
  timeoutMs: number;
  /** The client's EHLO name, for SMTP. */
  clientName?: string | undefined;
}

/** Logs in to the upstream server of one protocol with a token. */
export type UpstreamLogin = (
  target: UpstreamTarget,
  credentials: UpstreamCredentials,
  options: UpstreamLoginOptions,
) => Promise<UpstreamSession>;

/**
 * The command phase of an upstream connection: lines out, lines in, STARTTLS, with a timeout on
 * each step; what the server says is redacted of the token before it goes into an error.
 */
export class UpstreamChannel {
  #socket: Socket;
  readonly #reads: UpstreamReads;
  readonly #reader: LineReader;
  readonly target: UpstreamTarget;
  readonly #timeoutMs: number;
  #secrets: string[] = [];

  private constructor(socket: Socket, reads: UpstreamReads, target: UpstreamTarget, timeoutMs: number) {
    this.#socket = socket;
    this.#reads = reads;
    this.target = target;
    this.#timeoutMs = timeoutMs;
    this.#reader = new LineReader(socket, MAX_UPSTREAM_LINE);
    this.#watch(socket);
  }

  #watch(socket: Socket): void {
    socket.setTimeout(this.#timeoutMs, () => {
      socket.destroy(new UpstreamUnavailableError(this.target, `no answer within ${this.#timeoutMs} ms`));
    });
  }

  /** Connects (TLS first for `implicit`). */
  static async open(target: UpstreamTarget, timeoutMs: number): Promise<UpstreamChannel> {
    const reads = new UpstreamReads();
    return new UpstreamChannel(await connectUpstream(target, timeoutMs, reads), reads, target, timeoutMs);
  }

  /** Runs `login` on a new channel; the connection is closed when it throws. */
  static async run(
    target: UpstreamTarget,
    timeoutMs: number,
    login: (channel: UpstreamChannel) => Promise<UpstreamSession>,
  ): Promise<UpstreamSession> {
    const channel = await UpstreamChannel.open(target, timeoutMs);
    try {
      return await login(channel);
    } catch (error) {
      channel.close();
      throw error;
    }
  }

  /** Strings to redact from anything the server says (the token, the initial response). */
  addSecrets(...secrets: string[]): void {
    this.#secrets.push(...secrets);
  }

  /** The server's text with every secret removed, for errors and logs. */
  redact(text: string): string {
    return redact(text, ...this.#secrets);
  }

  /** Sends one line; CRLF is added. */
  send(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  /**
   * The next line from the server.
   *
   * @throws {UpstreamUnavailableError} when the server closed the connection, timed out or sent an over-long line.
   */
  async readLine(): Promise<string> {
    let line: string | null;
    try {
      line = await this.#reader.readLine();
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) throw error;
      throw new UpstreamUnavailableError(this.target, (error as Error).message, error);
    }
    if (line === null) throw new UpstreamUnavailableError(this.target, 'the server closed the connection');
    return line;
  }

  /**
   * Starts TLS after the server agreed to STARTTLS/STLS.
   *
   * @throws {UpstreamUnavailableError} when the server sent bytes after its reply (a STARTTLS
   *   injection) or the handshake fails.
   */
  async startTls(): Promise<void> {
    const { rest } = this.#reader.detach();
    if (rest.length > 0)
      throw new UpstreamUnavailableError(this.target, 'the server sent data after agreeing to STARTTLS');
    this.#socket.setTimeout(0);
    const secure = await upgradeUpstream(this.#socket, this.target, this.#timeoutMs, this.#reads);
    this.#socket = secure;
    this.#watch(secure);
    this.#reader.replaceSocket(secure);
  }

  /** Ends the command phase: the socket, without its timeout, and the bytes read ahead. */
  finish(capabilities: string[]): UpstreamSession {
    this.#socket.setTimeout(0);
    const { rest } = this.#reader.detach();
    // Until the relay takes over, an error must not go unhandled; the relay sees the close.
    this.#socket.on('error', () => undefined);
    return { socket: this.#socket, reads: this.#reads, rest, capabilities };
  }

  /** Closes the connection. */
  close(): void {
    this.#socket.destroy();
  }
}
