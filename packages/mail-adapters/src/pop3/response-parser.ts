/**
 * The POP3 wire format (RFC 1939, RFC 2449, RFC 5034): splitting the byte stream into lines, status
 * lines, multi-line blocks with their dot-stuffing, and the replies of STAT, LIST, UIDL and CAPA.
 * Pure functions and one small stateful splitter, so the format is tested without a socket.
 *
 * @module
 */
import { AuthorizerError } from '@oauth-authorizer/core';
import { MAIL_PROTOCOL_ERROR } from '../errors.js';

/** A parsed status line. */
export interface Pop3StatusLine {
  /** `+OK`, `-ERR`, or `+` (a SASL continuation, RFC 5034). */
  status: '+OK' | '-ERR' | '+';
  /** What follows the status indicator, without the separating space and without the response code. */
  text: string;
  /** The bracketed response code (RFC 2449 §8), e.g. `AUTH` or `SYS/TEMP`, without brackets. */
  responseCode: string | undefined;
}

/**
 * The reply to STAT.
 *
 * @example
 * ```ts
 * const { count, size }: Pop3MaildropStatus = await pop3.stat();
 * ```
 */
export interface Pop3MaildropStatus {
  /** The number of messages. */
  count: number;
  /** Their total size in octets. */
  size: number;
}

/**
 * One message of a LIST reply.
 *
 * @example
 * ```ts
 * for (const { number, size } of await pop3.list()) if (size < 1_000_000) await pop3.retrieveMessage(number);
 * ```
 */
export interface Pop3ListEntry {
  /** The message number (1-based, valid for this session). */
  number: number;
  /** The size in octets. */
  size: number;
}

/**
 * One message of a UIDL reply.
 *
 * @example
 * ```ts
 * const uids = new Map((await pop3.uidl()).map(({ number, uid }) => [uid, number]));
 * ```
 */
export interface Pop3UidlEntry {
  /** The message number (1-based, valid for this session). */
  number: number;
  /** The unique id, stable across sessions. */
  uid: string;
}

/**
 * Capabilities from CAPA: upper-case name → arguments, e.g. `SASL` → `['XOAUTH2', 'OAUTHBEARER']`.
 *
 * @example
 * ```ts
 * const capabilities = await pop3.capabilities();
 * const canStls = capabilities.has('STLS');
 * ```
 */
export type Pop3Capabilities = Map<string, string[]>;

/** An error for a reply that breaks the protocol; the excerpt is cut short and never holds what the client sent. */
export function protocolError(detail: string, line?: string): AuthorizerError {
  const excerpt = line === undefined ? '' : `: "${line.slice(0, 120)}"`;
  return new AuthorizerError(MAIL_PROTOCOL_ERROR, `POP3 server ${detail}${excerpt}`);
}

/**
 * Parses a status line: `+OK text`, `-ERR [CODE] text`, or a SASL continuation `+ challenge`.
 *
 * @throws {AuthorizerError} `MAIL_PROTOCOL_ERROR` for anything else.
 */
export function parseStatusLine(line: string): Pop3StatusLine {
  const match = /^(\+OK|-ERR|\+)(?:$| (.*)$)/i.exec(line);
  if (!match) throw protocolError('sent a line that is not +OK, -ERR or +', line);
  const indicator = match[1]!.toUpperCase() as Pop3StatusLine['status'];
  let text = match[2] ?? '';
  let responseCode: string | undefined;
  if (indicator !== '+') {
    const code = /^\[([^\]]*)\]\s*/.exec(text);
    if (code) {
      responseCode = code[1]!.toUpperCase();
      text = text.slice(code[0].length);
    }
  }
  return { status: indicator, text, responseCode };
}

/** Whether a line of a multi-line block is its terminator (a lone `.`). */
export function isTerminator(line: Buffer): boolean {
  return line.length === 1 && line[0] === 0x2e;
}

/** Removes the dot a server adds before a line that starts with a dot (RFC 1939 §3 "byte-stuffing"). */
export function unstuffLine(line: Buffer): Buffer {
  return line.length > 0 && line[0] === 0x2e ? line.subarray(1) : line;
}

function parseNumber(value: string | undefined, what: string, line: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw protocolError(`sent a malformed ${what}`, line);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw protocolError(`sent a malformed ${what}`, line);
  return number;
}

/** Parses the text of a STAT reply: `count size`. */
export function parseStat(text: string): Pop3MaildropStatus {
  const [count, size] = text.trim().split(/\s+/);
  return { count: parseNumber(count, 'STAT reply', text), size: parseNumber(size, 'STAT reply', text) };
}

/** Parses one LIST line (or the text of a single-message LIST reply): `number size`. */
export function parseListLine(line: string): Pop3ListEntry {
  const [number, size] = line.trim().split(/\s+/);
  return { number: parseNumber(number, 'LIST line', line), size: parseNumber(size, 'LIST line', line) };
}

/** Parses one UIDL line (or the text of a single-message UIDL reply): `number uid`. */
export function parseUidlLine(line: string): Pop3UidlEntry {
  const [number, uid] = line.trim().split(/\s+/);
  // RFC 1939 §7: the unique id is 1 to 70 characters from 0x21 to 0x7E.
  if (uid === undefined || !/^[\x21-\x7e]{1,70}$/.test(uid))
    throw protocolError('sent a malformed UIDL line', line);
  return { number: parseNumber(number, 'UIDL line', line), uid };
}

/** Parses the lines of a CAPA reply (RFC 2449 §5). */
export function parseCapabilities(lines: string[]): Pop3Capabilities {
  const capabilities: Pop3Capabilities = new Map();
  for (const line of lines) {
    const [name, ...args] = line.trim().split(/\s+/);
    if (name) capabilities.set(name.toUpperCase(), args);
  }
  return capabilities;
}

/**
 * Splits a byte stream into lines at LF, dropping the CR of CRLF. Bytes are kept as they came
 * (messages may be 8-bit); a line longer than `maxLineLength` is a protocol error, so a broken or
 * hostile server cannot make the client buffer without end.
 */
export class Pop3LineSplitter {
  readonly #maxLineLength: number;
  #partial: Buffer[] = [];
  #partialLength = 0;

  constructor(maxLineLength: number) {
    this.#maxLineLength = maxLineLength;
  }

  /** Bytes received that do not yet end a line. */
  get pendingBytes(): number {
    return this.#partialLength;
  }

  /**
   * Feeds bytes; returns the lines they complete.
   *
   * @throws {AuthorizerError} `MAIL_PROTOCOL_ERROR` when a line exceeds the limit.
   */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      if (end === -1) break;
      const piece = chunk.subarray(start, end);
      let line = this.#partialLength === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      this.#partialLength = 0;
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      if (line.length > this.#maxLineLength)
        throw protocolError(`sent a line longer than ${this.#maxLineLength} bytes`);
      lines.push(line);
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#partial.push(rest);
      this.#partialLength += rest.length;
      if (this.#partialLength > this.#maxLineLength + 1) {
        throw protocolError(`sent a line longer than ${this.#maxLineLength} bytes`);
      }
    }
    return lines;
  }
}
