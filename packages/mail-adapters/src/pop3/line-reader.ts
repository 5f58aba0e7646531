/**
 * The read side of a POP3 connection: the socket's bytes become lines that commands read one at a
 * time, with backpressure, a time limit on each read, and cancellation.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { AuthorizerError, abortError, OAUTH_TIMEOUT } from '@oauth-authorizer/core';
import { Pop3LineSplitter } from './response-parser.js';

/** Lines buffered before the socket is paused; a reader that lags makes the server wait. */
const HIGH_WATER_LINES = 512;
/**
 * Bytes buffered before the socket is paused. Without it, 512 lines of up to `maxLineLength` each
 * could pile up (512 MiB with the defaults) while no command reads them.
 */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Turns the socket's byte stream into lines that commands read one at a time, with backpressure:
 * the socket is paused while more than 512 lines or 1 MiB are waiting to be read.
 */
export class LineReader {
  readonly #splitter: Pop3LineSplitter;
  #lines: Buffer[] = [];
  #bufferedBytes = 0;
  #socket: Socket | undefined;
  #paused = false;
  #waiter: { resolve: (line: Buffer) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;

  /** @param maxLineLength The longest line accepted, in bytes; a longer one fails the reader. */
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
    for (const line of lines) {
      this.#lines.push(line);
      this.#bufferedBytes += line.length;
    }
    if ((this.#lines.length > HIGH_WATER_LINES || this.#bufferedBytes > HIGH_WATER_BYTES) && !this.#paused) {
      this.#paused = true;
      this.#socket?.pause();
    }
    this.#wake();
  };

  /** Starts reading from `socket`. */
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

  /** Why the reader stopped, once it has. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Stops the reader: the read waiting now and every later one rejects with the first failure. */
  fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#failure);
  }

  /** A line that has already arrived, if any. */
  take(): Buffer | undefined {
    const line = this.#lines.shift();
    if (line !== undefined) this.#bufferedBytes -= line.length;
    if (
      line !== undefined &&
      this.#paused &&
      this.#lines.length < HIGH_WATER_LINES / 2 &&
      this.#bufferedBytes < HIGH_WATER_BYTES / 2
    ) {
      this.#paused = false;
      this.#socket?.resume();
    }
    return line;
  }

  /** The next line, whenever it arrives. */
  next(): Promise<Buffer> {
    const line = this.take();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * The next line, within `timeout` ms and unless `signal` fires. Either ends the connection:
   * `onFailure` gets the error (and closes the socket) before the read rejects with it.
   */
  async read(
    command: string,
    options: { timeout: number; signal: AbortSignal | undefined; onFailure: (error: Error) => void },
  ): Promise<Buffer> {
    const { timeout, signal, onFailure } = options;
    if (signal?.aborted) {
      const error = abortError(signal, `POP3 ${command}`);
      onFailure(error);
      throw error;
    }
    // Lines of a long message mostly arrive before they are asked for: no timer needed for those.
    const ready = this.take();
    if (ready !== undefined) return ready;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AuthorizerError(
          OAUTH_TIMEOUT,
          `POP3 server did not answer ${command} within ${timeout} ms`,
          { transient: true },
        );
        onFailure(error);
        reject(error);
      }, timeout);
      if (signal) {
        onAbort = () => {
          const error = abortError(signal, `POP3 ${command}`);
          onFailure(error);
          reject(error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      return await Promise.race([this.next(), guard]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  #wake(): void {
    if (!this.#waiter || this.#lines.length === 0) return;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    void this.next().then(waiter.resolve, waiter.reject);
  }
}
