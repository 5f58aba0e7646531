import { describe, expect, it } from 'vitest';
import { CapabilityFilter } from '../src/imap/capability-filter.js';

/** Feeds `chunks` through a filter and returns what came out. */
async function filtered(chunks: Array<string | Buffer>): Promise<string> {
  const filter = new CapabilityFilter();
  const out: Buffer[] = [];
  filter.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => filter.on('end', resolve));
  for (const chunk of chunks) filter.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  filter.end();
  await ended;
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

  it('passes an over-long line through and still follows the literal at its end', async () => {
    const long = `* OK ${'x'.repeat(70_000)} {5}\r\n`;
    const text = `${long}* CAP\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n`;
    const out = await filtered([text.slice(0, 30_000), text.slice(30_000, 69_000), text.slice(69_000)]);
    expect(out).toBe(`${long}* CAP\r\n* CAPABILITY IMAP4rev1\r\n`);
  });
});
