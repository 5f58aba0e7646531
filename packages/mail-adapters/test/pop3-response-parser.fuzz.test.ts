import { MAIL_PROTOCOL_ERROR } from '@oauth-authorizer/mail-adapters';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOrTypedError } from '../../core/test/fuzz-outcome.js';
import {
  Pop3LineSplitter,
  parseCapabilities,
  parseListLine,
  parseStat,
  parseStatusLine,
  parseUidlLine,
  unstuffLine,
} from '../src/pop3/response-parser.js';

// Property: whatever a POP3 server sends, the parser returns what RFC 1939 / 2449 / 5034 allow or
// throws MAIL_PROTOCOL_ERROR whose excerpt of the line is at most 120 characters; the line
// splitter gives back exactly the bytes it was fed, however they were chunked.

const NUM_RUNS = 1200;

/** A line as a server might send it: well-formed replies, near misses, or any bytes. */
const line = fc.oneof(
  fc.constantFrom(
    '+OK',
    '+OK ready',
    '-ERR [AUTH] no',
    '-ERR [SYS/TEMP] later',
    '+ eyJ9',
    '+',
    '-ERR',
    '+ok x',
  ),
  fc
    .tuple(
      fc.constantFrom('+OK ', '-ERR ', '+ ', '+OK', '-ERR [', ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
    )
    .map(([head, tail]) => head + tail),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a} ${b}`),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.string({ maxLength: 80 }))
    .map(([a, b]) => ` ${a}\t${b} `),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

function typedOnly<T>(parse: () => T, input: string): T | undefined {
  let thrown: unknown;
  const result = parseOrTypedError(() => {
    try {
      return parse();
    } catch (error) {
      thrown = error;
      throw error;
    }
  }, []);
  if (result === undefined) {
    expect((thrown as { code?: string }).code).toBe(MAIL_PROTOCOL_ERROR);
    const message = (thrown as Error).message;
    // "POP3 server <what>" and at most a 120-character excerpt of the line in quotes.
    expect(message.length).toBeLessThanOrEqual(200);
    if (input.length > 120) expect(message).not.toContain(input);
  }
  return result;
}

describe('POP3 response parser fuzzed', () => {
  it(`status lines, STAT, LIST, UIDL and CAPA replies: a valid reply or MAIL_PROTOCOL_ERROR (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(line, fc.array(line, { maxLength: 8 }), (text, lines) => {
        const status = typedOnly(() => parseStatusLine(text), text);
        if (status !== undefined) {
          expect(['+OK', '-ERR', '+']).toContain(status.status);
          expect(text.toUpperCase().startsWith(status.status)).toBe(true);
          if (status.responseCode !== undefined) expect(status.status).not.toBe('+');
        }
        const stat = typedOnly(() => parseStat(text), text);
        if (stat !== undefined)
          for (const number of [stat.count, stat.size])
            expect(Number.isSafeInteger(number) && number >= 0).toBe(true);
        const entry = typedOnly(() => parseListLine(text), text);
        if (entry !== undefined)
          expect(Number.isSafeInteger(entry.number) && Number.isSafeInteger(entry.size)).toBe(true);
        const uidl = typedOnly(() => parseUidlLine(text), text);
        if (uidl !== undefined) expect(uidl.uid).toMatch(/^[\x21-\x7e]{1,70}$/);
        const capabilities = parseCapabilities(lines);
        for (const [name, args] of capabilities) {
          expect(name).toBe(name.toUpperCase());
          expect(name).not.toMatch(/\s/);
          expect(Array.isArray(args)).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`Pop3LineSplitter returns every byte fed in, in lines, however it is chunked (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 80 }),
        (chunks, limit) => {
          const splitter = new Pop3LineSplitter(limit);
          const fed = Buffer.concat(chunks);
          const lines: Buffer[] = [];
          let refused = false;
          for (const chunk of chunks) {
            const pushed = typedOnly(() => splitter.push(Buffer.from(chunk)), '');
            if (pushed === undefined) {
              refused = true;
              break;
            }
            lines.push(...pushed);
          }
          // Only LF ends a line, and a CR before it is dropped: the same split done at once.
          const expected = fed
            .toString('latin1')
            .split('\n')
            .slice(0, -1)
            .map((piece) => (piece.endsWith('\r') ? piece.slice(0, -1) : piece));
          if (refused) {
            // Refused only for a line (ended or not yet) longer than the limit.
            expect(
              fed
                .toString('latin1')
                .split('\n')
                .some((piece) => piece.length > limit),
            ).toBe(true);
            return;
          }
          expect(lines.map((piece) => piece.toString('latin1'))).toEqual(expected);
          for (const piece of lines) {
            expect(piece.length).toBeLessThanOrEqual(limit);
            expect(unstuffLine(piece).length).toBeGreaterThanOrEqual(piece.length - 1);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
