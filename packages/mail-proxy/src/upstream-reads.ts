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
 * proxy more than twice the CPU of copying each read into a buffer it reuses (bench/mail-proxy.mjs:
 * about 11 ms against 5 ms per 3 MB FETCH on the benchmark machine). So the connection reads
 * through Node's `onread` into the process's one read buffer:
 * - during the command phase, each read is copied to the socket's readable side, as without
 *   `onread`, so the line reader reads lines as from any socket;
 * - once relaying, each read is copied into a pooled buffer handed to the relay's sink.
 *
 * Node ignores `onread` for a TLS socket started on an existing connection (STARTTLS): such a
 * connection is relayed from its `data` events, with Node's own buffers.
 */
export class UpstreamReads {
  #socket: Socket | undefined;
  #sink: UpstreamSink | undefined;
  #usesOnread = false;

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
    const sink = this.#sink;
    if (sink === undefined) {
      // Returning false pauses the socket, as a readable stream's back-pressure does.
      return this.#socket?.push(Buffer.from(buffer.subarray(0, length))) ?? false;
    }
    const pooled = pool.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
    buffer.copy(pooled, 0, 0, length);
    sink(pooled.subarray(0, length), () => {
      if (pool.length < POOLED_BUFFERS) pool.push(pooled);
    });
    return true;
  }

  /**
   * Hands every byte from the server to `sink` from now on, starting with those the readable side
   * still holds, and starts reading. Pause and resume the socket for back-pressure.
   */
  relayTo(socket: Socket, sink: UpstreamSink): void {
    if (socket !== this.#socket)
      throw new TypeError('relayTo() needs the socket these reads are attached to');
    this.#sink = sink;
    for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) {
      sink(chunk, NOTHING_TO_GIVE_BACK);
    }
    if (!this.#usesOnread) socket.on('data', (chunk: Buffer) => sink(chunk, NOTHING_TO_GIVE_BACK));
    socket.resume();
  }
}
