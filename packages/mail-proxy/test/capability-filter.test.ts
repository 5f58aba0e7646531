import { describe, expect, it } from 'vitest';
import { CapabilityFilter } from '../src/imap/capability-filter.js';

/**
 * Feeds `chunks` through a filter and returns what came out. Each read arrives in the same buffer,
 * overwritten by the next once its output is taken, as the relay's reused read buffers do: a
 * filter that kept a view of a read instead of a copy would hand on the wrong bytes.
 */
async function filtered(chunks: Array<string | Buffer>): Promise<string> {
  const filter = new CapabilityFilter();
  const out: Buffer[] = [];
  const reused = Buffer.alloc(128 * 1024);
  for (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const length = bytes.copy(reused);
    for (const piece of filter.filter(reused.subarray(0, length))) out.push(Buffer.from(piece));
    reused.fill(0x23); // '#'
  }
  const held = filter.flush();
  if (held !== undefined) out.push(held);
  return Buffer.concat(out).toString('utf8');
}

const CAPABILITIES =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE AUTH=XOAUTH2 AUTH=OAUTHBEARER COMPRESS=DEFLATE LITERAL+';

describe('CapabilityFilter', () => {
  it('rewrites * CAPABILITY responses and [CAPABILITY] codes, also when split across reads', async () => {
    const text = `* CAPABILITY ${CAPABILITIES}\r\na1 OK [CAPABILITY ${CAPABILITIES}] done\r\n`;
    for (const split of [1, 7, 20, text.length - 3]) {
      const out = await filtered([text.slice(0, split), text.slice(split)]);
      expect(out).toBe(
        '* CAPABILITY IMAP4rev1 ID ENABLE IDLE LITERAL+\r\na1 OK [CAPABILITY IMAP4rev1 ID ENABLE IDLE LITERAL+] done\r\n',
      );
    }
  });

  it('passes literals through untouched, even when they look like capability responses', async () => {
    const body = `* CAPABILITY AUTH=XOAUTH2 COMPRESS=DEFLATE\r\n[CAPABILITY COMPRESS=DEFLATE]\r\n`;
    const text = `* 1 FETCH (UID 7 BODY[] {${Buffer.byteLength(body)}}\r\n${body})\r\n* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE\r\na2 OK done\r\n`;
    const chunks = [...text].map((char) => char); // one byte at a time
    expect(await filtered(chunks)).toBe(
      text.replace('* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE', '* CAPABILITY IMAP4rev1'),
    );
  });

  it('counts literal bytes, not characters, and handles literal8', async () => {
    const body = 'Grüße, 日本\r\n';
    const text = `* 2 FETCH (BINARY[] ~{${Buffer.byteLength(body)}}\r\n${body})\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\n`;
    expect(await filtered([text])).toBe(text.replace(' STARTTLS', ''));
  });

  it('hands on a response line held across reads whole, and one still open when the server closes', async () => {
    const text = `* 3 FETCH (FLAGS (\\Seen))\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\na3 OK [CAPABILITY IMAP4rev1 STARTTLS] done\r\n* BYE`;
    const out = await filtered([text.slice(0, 35), text.slice(35, 70), text.slice(70)]);
    expect(out).toBe(
      '* 3 FETCH (FLAGS (\\Seen))\r\n* CAPABILITY IMAP4rev1 IDLE\r\na3 OK [CAPABILITY IMAP4rev1] done\r\n* BYE',
    );
  });

  it('gives the same bytes however a FETCH of many messages is split into reads', async () => {
    const body = (index: number) =>
      `Subject: ${index}\r\n\r\n* CAPABILITY AUTH=PLAIN\r\n[CAPABILITY STARTTLS] in a body [x]\r\n`;
    let text = '';
    for (let index = 1; index <= 40; index++) {
      text += `* ${index} FETCH (UID ${index} BODY[] {${Buffer.byteLength(body(index))}}\r\n${body(index)})\r\n`;
      if (index % 10 === 0) text += `* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 IDLE\r\n`;
    }
    text += 'a9 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] FETCH done\r\n';
    const expected = text
      .replaceAll('* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 IDLE', '* CAPABILITY IMAP4rev1 IDLE')
      .replace('[CAPABILITY IMAP4rev1 COMPRESS=DEFLATE]', '[CAPABILITY IMAP4rev1]');
    expect(await filtered([text])).toBe(expected);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(random() * 300);
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      expect(await filtered(chunks)).toBe(expected);
    }
  });

  it('passes an over-long line through and still follows the literal at its end', async () => {
    const long = `* OK ${'x'.repeat(70_000)} {5}\r\n`;
    const text = `${long}* CAP\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n`;
    const out = await filtered([text.slice(0, 30_000), text.slice(30_000, 69_000), text.slice(69_000)]);
    expect(out).toBe(`${long}* CAP\r\n* CAPABILITY IMAP4rev1\r\n`);
  });
});
