import type { Duplex } from 'node:stream';

const EMPTY = Buffer.alloc(0);

/**
 * What is left of the buffer after a read. An empty rest must not keep a view of the socket's
 * read buffer (often a whole 64 KiB slab) alive in an idle session.
 */
function remainder(buffer: Buffer, from: number): Buffer {
  return from >= buffer.length ? EMPTY : buffer.subarray(from);
}

/**
 * Reads CRLF-terminated lines (and, for IMAP literals, counted bytes) from a socket during the
 * command phase, never holding more than a bounded number of bytes: a line longer than the limit
 * is an error, and the socket is paused while a complete unread line waits. When the command phase
 * ends, {@link LineReader.detach} hands back the bytes read ahead, so nothing the client or the
 * server pipelined is lost.
 */
export class LineReader {
  #socket: Duplex;
  #buffer: Buffer = EMPTY;
  #waiter: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  readonly #maxLineLength: number;
  readonly #onData = (chunk: Buffer) => {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#buffer.length > this.#maxLineLength) this.#socket.pause();
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };
  readonly #onError = (error: Error) => {
    this.#error = error;
    this.#wake();
  };

  /**
   * @param maxLineLength The longest line, CRLF included, and the largest counted read.
   */
  constructor(socket: Duplex, maxLineLength: number) {
    this.#socket = socket;
    this.#maxLineLength = maxLineLength;
    this.#attach();
  }

  #attach(): void {
    this.#socket.on('data', this.#onData);
    this.#socket.on('end', this.#onEnd);
    this.#socket.on('close', this.#onEnd);
    this.#socket.on('error', this.#onError);
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #wait(): Promise<void> {
    this.#socket.resume();
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Bytes read from the socket and not handed out yet. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * The next line without its CRLF (a bare LF is accepted too), or `null` when the peer closed.
   *
   * @throws {LineTooLongError} when no line end comes within the limit.
   */
  async readLine(): Promise<string | null> {
    for (;;) {
      const end = this.#buffer.indexOf(0x0a);
      if (end !== -1 && end < this.#maxLineLength) {
        const line = this.#buffer.toString(
          'utf8',
          0,
          end > 0 && this.#buffer[end - 1] === 0x0d ? end - 1 : end,
        );
        this.#buffer = remainder(this.#buffer, end + 1);
        return line;
      }
      if (this.#buffer.length >= this.#maxLineLength) throw new LineTooLongError(this.#maxLineLength);
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await this.#wait();
    }
  }

  /**
   * Exactly `count` bytes (an IMAP literal), or `null` when the peer closed first.
   *
   * @throws {LineTooLongError} when `count` is above the limit.
   */
  async readBytes(count: number): Promise<Buffer | null> {
    if (count > this.#maxLineLength) throw new LineTooLongError(this.#maxLineLength);
    for (;;) {
      if (this.#buffer.length >= count) {
        const bytes = Buffer.from(this.#buffer.subarray(0, count));
        this.#buffer = remainder(this.#buffer, count);
        return bytes;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await this.#wait();
    }
  }

  /**
   * Stops reading and returns the socket, paused, with the bytes read ahead: the caller relays
   * them first, or (after STARTTLS) refuses them.
   */
  detach(): { socket: Duplex; rest: Buffer } {
    this.#release();
    this.#socket.pause();
    // A copy: bytes read ahead are few, the buffer they sit in may be large.
    const rest = this.#buffer.length === 0 ? EMPTY : Buffer.from(this.#buffer);
    this.#buffer = EMPTY;
    this.#wake();
    return { socket: this.#socket, rest };
  }

  #release(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
  }

  /**
   * Reads from `socket` from now on (the TLS socket after STARTTLS, once {@link LineReader.detach}
   * has handed back the old one). The old socket is left as it is: the TLS socket reads through
   * it, and pausing a socket that reads with `onread` would stop those reads too.
   */
  replaceSocket(socket: Duplex): void {
    this.#release();
    this.#buffer = EMPTY;
    this.#wake();
    this.#socket = socket;
    this.#ended = false;
    this.#error = undefined;
    this.#attach();
  }
}

/** A line (or literal) longer than the command-phase limit. */
export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}
