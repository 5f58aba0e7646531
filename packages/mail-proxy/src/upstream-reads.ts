import type { OnReadOpts, Socket } from 'node:net';

/** The most one read from an upstream server takes (what Node reads at a time by default). */
const READ_SIZE = 64 * 1024;
/** How many relay buffers the process keeps for reuse once their bytes are written (2 MiB at most). */
const POOLED_BUFFERS = 32;

/**
 * Where every upstream read of the process lands first. Each read is copied out of it in its own
 * callback, before any other read can come (one event loop), so one buffer serves all connections
 * and an idle session holds none.
 */
const readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
/** Relay buffers whose bytes the client has: written again, their pages are already in memory. */
const pool: Buffer[] = [];

/**
 * What the relay does with bytes from the server. `done` gives their buffer back for reuse: call it
 * once, when the last write of these bytes has finished, and keep no view of them after.
 */
export type UpstreamSink = (chunk: Buffer, done: () => void) => void;

const NOTHING_TO_GIVE_BACK = () => undefined;

/**
 * The reads of one upstream connection. Without it, Node allocates a fresh 64 KiB buffer for each
 * read; relaying a large FETCH, that fresh memory (its page faults, the collection of it) cost the
 * proxy more than twice the CPU of copying each read into a buffer it reuses. So the connection
 * reads through Node's `onread` into the process's one read buffer:
 * - during the command phase, each read is copied to the socket's readable side, as without
 *   `onread`, so the line reader reads lines as from any socket;
 * - once relaying, reads are copied into a pooled buffer, and what one turn of the event loop
 *   read goes to the relay's sink together, in one piece of up to 64 KiB.
 *
 * The batching is for the write to the client: a server writes a FETCH response in small TLS
 * records (Dovecot: about one per message, some 3 KiB), and Node hands each decrypted record to
 * its own callback; written one by one, a 3 MB FETCH took some 850 write calls to the client, the
 * proxy's largest cost on a machine where a system call is dear (bench/mail-proxy.mjs). Batched,
 * it takes about 80, about as many as the reads from the server.
 *
 * Node ignores `onread` for a TLS socket started on an existing connection (STARTTLS): such a
 * connection's `data` events (Node's own buffers) are batched the same way.
 */
export class UpstreamReads {
  #socket: Socket | undefined;
  #sink: UpstreamSink | undefined;
  #usesOnread = false;
  /** The pooled buffer this turn's reads are gathering in, and how much of it they filled. */
  #batch: Buffer | undefined;
  #batchLength = 0;

  /** The `onread` option for `net.connect` / `tls.connect`. */
  readonly onread: OnReadOpts = {
    buffer: readBuffer,
    callback: (length, buffer) => this.#read(length, buffer as Buffer),
  };

  /**
   * Reads come from `socket` from now on; `usesOnread` says whether it was made with
   * {@link UpstreamReads.onread}.
   */
  attach<T extends Socket>(socket: T, usesOnread: boolean): T {
    this.#socket = socket;
    this.#usesOnread = usesOnread;
    return socket;
  }

  #read(length: number, buffer: Buffer): boolean {
    if (this.#sink === undefined) {
      // Returning false pauses the socket, as a readable stream's back-pressure does.
      return this.#socket?.push(Buffer.from(buffer.subarray(0, length))) ?? false;
    }
    this.#gather(buffer, length);
    return true;
  }

  /** Copies `length` bytes of `source` into this turn's batch, sending the batch first if full. */
  #gather(source: Buffer, length: number): void {
    let offset = 0;
    while (offset < length) {
      if (this.#batch === undefined) {
        this.#batch = pool.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
        setImmediate(this.#sendBatch);
      }
      const copied = source.copy(this.#batch, this.#batchLength, offset, length);
      this.#batchLength += copied;
      offset += copied;
      if (this.#batchLength === READ_SIZE) this.#sendBatch();
    }
  }

  /** Hands this turn's batch to the sink; its buffer returns to the pool once written. */
  readonly #sendBatch = (): void => {
    const batch = this.#batch;
    if (batch === undefined || this.#sink === undefined) return;
    const length = this.#batchLength;
    this.#batch = undefined;
    this.#batchLength = 0;
    this.#sink(batch.subarray(0, length), () => {
      if (pool.length < POOLED_BUFFERS) pool.push(batch);
    });
  };

  /**
   * Hands every byte from the server to `sink` from now on, starting with those the readable side
   * still holds, and starts reading. Pause and resume the socket for back-pressure. A batch still
   * gathering when the server ends goes to the sink before any `end` listener runs.
   */
  relayTo(socket: Socket, sink: UpstreamSink): void {
    if (socket !== this.#socket)
      throw new TypeError('relayTo() needs the socket these reads are attached to');
    this.#sink = sink;
    for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) {
      sink(chunk, NOTHING_TO_GIVE_BACK);
    }
    socket.prependListener('end', this.#sendBatch);
    if (!this.#usesOnread) socket.on('data', (chunk: Buffer) => this.#gather(chunk, chunk.length));
    socket.resume();
  }
}
