/**
 * A RETR reply as a `Readable`: the message's lines as they arrive, CRLF-terminated and
 * dot-unstuffed, with the stream's backpressure reaching the socket.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { isTerminator, unstuffLine } from './response-parser.js';

const CRLF = Buffer.from('\r\n');
/** Buffers (line, CRLF, line, …) joined into one chunk of a RETR stream. */
const RETR_BATCH_PARTS = 1024;

/** Where the message's lines come from. */
export interface Pop3MessageLines {
  /** The next line, waiting for it (with the command's time limit and signal). */
  read(): Promise<Buffer>;
  /** A line that has already arrived, if any. */
  take(): Buffer | undefined;
}

/**
 * The body of a multi-line RETR reply whose `+OK` has been read, as a stream. `done` is called
 * once when the terminating `.` has been read or the connection failed: the next command may then
 * run. Destroying the stream early reads and drops the rest of the message, so the session stays
 * usable.
 */
export function messageStream(lines: Pop3MessageLines, done: () => void): Readable {
  let pumping = false;
  let discarding = false;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  const pump = async (): Promise<void> => {
    if (pumping || finished) return;
    pumping = true;
    try {
      for (;;) {
        let line: Buffer | undefined = await lines.read();
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
          line = lines.take();
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
