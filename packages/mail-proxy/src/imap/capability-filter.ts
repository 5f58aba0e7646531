import type { ServerBytesFilter } from '../relay.js';
import { clientCapabilities } from './capabilities.js';

/** Lines longer than this pass through unexamined (no capability list is anywhere near it). */
const MAX_EXAMINED_LINE = 64 * 1024;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
const CAPABILITY_CODE = Buffer.from('[CAPABILITY ', 'latin1');
const CAPABILITY_RESPONSE = Buffer.from('* CAPABILITY ', 'latin1');

/**
 * The literal size the response line `bytes[start, end)` announces at its end (`{123}` or
 * `~{123}` before CRLF), or 0.
 */
function literalAtEnd(bytes: Buffer, start: number, end: number): number {
  let last = end - 1;
  if (bytes[last] === LF) last -= 1;
  if (bytes[last] === 0x0d) last -= 1;
  if (last < start || bytes[last] !== 0x7d) return 0; // }
  let size = 0;
  let scale = 1;
  for (let index = last - 1; index >= start && index > last - 12; index -= 1) {
    const byte = bytes[index] as number;
    if (byte === 0x7b) return scale === 1 ? 0 : size; // {
    if (byte < 0x30 || byte > 0x39) return 0;
    size += (byte - 0x30) * scale;
    scale *= 10;
  }
  return 0;
}

/** Whether `bytes` has `pattern` at `at`. */
function hasAt(bytes: Buffer, at: number, pattern: Buffer): boolean {
  return at + pattern.length <= bytes.length && pattern.compare(bytes, at, at + pattern.length) === 0;
}

function rewriteList(_: string, head: string, list: string): string {
  return head + clientCapabilities(list.trim().split(/\s+/)).join(' ');
}

/** The line with its capability lists rewritten, or the line itself when it has none. */
function examined(line: Buffer): Buffer {
  if (!hasAt(line, 0, CAPABILITY_RESPONSE) && line.indexOf(CAPABILITY_CODE) === -1) return line;
  const text = line.toString('utf8');
  const rewritten = text
    .replace(/^(\* CAPABILITY )([^\r\n]*)/i, rewriteList)
    .replace(/(\[CAPABILITY )([^\]\r\n]*)/i, rewriteList);
  return rewritten === text ? line : Buffer.from(rewritten, 'utf8');
}

/**
 * The server-to-client side of a relayed IMAP session: every `* CAPABILITY` response and
 * `[CAPABILITY …]` code reaches the client without the upstream's authentication, STARTTLS and
 * COMPRESS (which the proxy does not relay: compressed bytes could not be read here). Literals
 * (`{n}`, message bodies) pass through as they come, unexamined and never held; only a response
 * line split across reads is held (copied) until its end, up to 64 KiB. What passes unchanged is
 * handed on as views of the read, in as few pieces as the rewrites allow: no copy per line.
 */
export class CapabilityFilter implements ServerBytesFilter {
  #literalLeft = 0;
  /** The start of a line the last read ended in, copied. */
  #partial: Buffer[] = [];
  #partialLength = 0;
  /** The partial line grew past the examined length: passed on as it comes, its end still watched. */
  #oversized = false;
  /** The last bytes of an over-long line (copied), for the literal it may announce. */
  #tail: Buffer = EMPTY;

  filter(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    /** Where the bytes that pass unchanged, not yet handed on, start. */
    let passFrom = 0;
    const passUpTo = (end: number) => {
      if (end > passFrom) out.push(chunk.subarray(passFrom, end));
      passFrom = end;
    };
    let offset = 0;
    /** The next `[` in the read at or after the line examined (-1: none left), searched once per read. */
    let nextBracket = chunk.indexOf(0x5b);
    while (offset < chunk.length) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, chunk.length - offset);
        this.#literalLeft -= take;
        offset += take;
        continue;
      }
      const lf = chunk.indexOf(LF, offset);
      const end = lf === -1 ? chunk.length : lf + 1;
      if (this.#oversized) {
        this.#tail = Buffer.concat([this.#tail, chunk.subarray(offset, end)]).subarray(-16);
        offset = end;
        if (lf !== -1) {
          this.#oversized = false;
          this.#literalLeft = literalAtEnd(this.#tail, 0, this.#tail.length);
          this.#tail = EMPTY;
        }
        continue;
      }
      if (lf === -1) {
        // The line goes on in the next read: held, as a copy (this read's buffer is reused).
        passUpTo(offset);
        passFrom = chunk.length;
        this.#partial.push(Buffer.from(chunk.subarray(offset)));
        this.#partialLength += chunk.length - offset;
        offset = chunk.length;
        if (this.#partialLength > MAX_EXAMINED_LINE) {
          const held = Buffer.concat(this.#partial);
          out.push(held);
          this.#tail = Buffer.from(held.subarray(-16));
          this.#partial = [];
          this.#partialLength = 0;
          this.#oversized = true;
        }
        continue;
      }
      if (this.#partial.length > 0) {
        // The held line ends in this read (which it starts: nothing of this read passed yet).
        const line = Buffer.concat([...this.#partial, chunk.subarray(offset, end)]);
        this.#partial = [];
        this.#partialLength = 0;
        out.push(examined(line));
        passFrom = end;
        this.#literalLeft = literalAtEnd(line, 0, line.length);
        offset = end;
        continue;
      }
      // A whole line of this read: examined in place, made a Buffer of its own only when it may
      // carry a capability list (a FETCH of many small messages is two lines per message).
      if (nextBracket !== -1 && nextBracket < offset) nextBracket = chunk.indexOf(0x5b, offset);
      let mayCarry = chunk[offset] === 0x2a && hasAt(chunk, offset, CAPABILITY_RESPONSE); // *
      while (!mayCarry && nextBracket !== -1 && nextBracket < end) {
        mayCarry = hasAt(chunk, nextBracket, CAPABILITY_CODE);
        if (!mayCarry) nextBracket = chunk.indexOf(0x5b, nextBracket + 1);
      }
      if (mayCarry) {
        const line = chunk.subarray(offset, end);
        const sent = examined(line);
        if (sent !== line) {
          passUpTo(offset);
          out.push(sent);
          passFrom = end;
        }
      }
      this.#literalLeft = literalAtEnd(chunk, offset, end);
      offset = end;
    }
    passUpTo(chunk.length);
    return out;
  }

  flush(): Buffer | undefined {
    if (this.#partialLength === 0) return undefined;
    const held = Buffer.concat(this.#partial);
    this.#partial = [];
    this.#partialLength = 0;
    return held;
  }
}
