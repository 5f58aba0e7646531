import { Transform, type TransformCallback } from 'node:stream';
import { clientCapabilities } from './capabilities.js';

/** Lines longer than this pass through unexamined (no capability list is anywhere near it). */
const MAX_EXAMINED_LINE = 64 * 1024;
const LF = 0x0a;
const CAPABILITY_CODE = Buffer.from('[CAPABILITY ', 'latin1');
const CAPABILITY_RESPONSE = Buffer.from('* CAPABILITY ', 'latin1');

/** The literal size a response line announces at its end (`{123}` or `~{123}` before CRLF), or 0. */
function literalAtEnd(line: Buffer): number {
  let end = line.length - 1;
  if (line[end] === LF) end -= 1;
  if (line[end] === 0x0d) end -= 1;
  if (line[end] !== 0x7d) return 0; // }
  let digits = '';
  for (let index = end - 1; index >= 0 && index > end - 12; index -= 1) {
    const byte = line[index] as number;
    if (byte === 0x7b) return digits === '' ? 0 : Number(digits); // {
    if (byte < 0x30 || byte > 0x39) return 0;
    digits = String.fromCharCode(byte) + digits;
  }
  return 0;
}

function rewrite(line: Buffer): Buffer {
  const text = line.toString('utf8');
  const rewritten = text
    .replace(
      /^(\* CAPABILITY )([^\r\n]*)/i,
      (_, head: string, list: string) => head + clientCapabilities(list.trim().split(/\s+/)).join(' '),
    )
    .replace(
      /(\[CAPABILITY )([^\]\r\n]*)/i,
      (_, head: string, list: string) => head + clientCapabilities(list.trim().split(/\s+/)).join(' '),
    );
  return rewritten === text ? line : Buffer.from(rewritten, 'utf8');
}

/**
 * The server-to-client side of a relayed IMAP session: every `* CAPABILITY` response and
 * `[CAPABILITY …]` code reaches the client without the upstream's authentication, STARTTLS and
 * COMPRESS (which the proxy does not relay: compressed bytes could not be read here). Literals
 * (`{n}`, message bodies) pass through as they come, unexamined and never held; only a response
 * line split across reads is held until its end, up to 64 KiB.
 */
export class CapabilityFilter extends Transform {
  #literalLeft = 0;
  #partial: Buffer[] = [];
  #partialLength = 0;
  /** The partial line grew past the examined length: passed on as it comes, its end still watched. */
  #oversized = false;
  #tail: Buffer = Buffer.alloc(0);

  constructor() {
    // A socket reads up to 64 KiB at a time: a smaller buffer here would stall each read.
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // One push per read, as without the filter: a push per line or literal would mean a socket
    // write per piece, which is what a FETCH of many small messages would pay for.
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, chunk.length - offset);
        out.push(chunk.subarray(offset, offset + take));
        this.#literalLeft -= take;
        offset += take;
        continue;
      }
      const lf = chunk.indexOf(LF, offset);
      const end = lf === -1 ? chunk.length : lf + 1;
      const piece = chunk.subarray(offset, end);
      offset = end;
      if (this.#oversized) {
        out.push(piece);
        this.#tail = Buffer.concat([this.#tail, piece]).subarray(-16);
        if (lf !== -1) {
          this.#oversized = false;
          this.#literalLeft = literalAtEnd(this.#tail);
          this.#tail = Buffer.alloc(0);
        }
        continue;
      }
      if (lf === -1) {
        this.#partial.push(piece);
        this.#partialLength += piece.length;
        if (this.#partialLength > MAX_EXAMINED_LINE) {
          const held = Buffer.concat(this.#partial);
          out.push(held);
          this.#tail = held.subarray(-16);
          this.#partial = [];
          this.#partialLength = 0;
          this.#oversized = true;
        }
        continue;
      }
      const line = this.#partial.length === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      this.#partialLength = 0;
      const examined =
        line.subarray(0, CAPABILITY_RESPONSE.length).equals(CAPABILITY_RESPONSE) ||
        line.indexOf(CAPABILITY_CODE) !== -1
          ? rewrite(line)
          : line;
      out.push(examined);
      this.#literalLeft = literalAtEnd(line);
    }
    if (out.length === 1) this.push(out[0]);
    else if (out.length > 1) this.push(Buffer.concat(out));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#partialLength > 0) this.push(Buffer.concat(this.#partial));
    callback();
  }
}
