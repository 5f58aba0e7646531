import type { UpstreamChannel } from '../upstream-channel.js';
import { UpstreamUnavailableError } from '../upstream-connection.js';

/** An SMTP reply: its code and its lines' texts. */
export interface SmtpReply {
  code: number;
  lines: string[];
  /** The reply as the server sent it, lines joined by CRLF (for errors: redact it first). */
  raw: string;
}

const REPLY_LINE = /^(\d{3})([ -])(.*)$/;

/**
 * Reads one (possibly multi-line) SMTP reply: `250-…` lines up to the `250 …` one (RFC 5321 §4.2.1).
 *
 * @throws {UpstreamUnavailableError} for a line that is not a reply.
 */
export async function readSmtpReply(channel: UpstreamChannel): Promise<SmtpReply> {
  const lines: string[] = [];
  const raw: string[] = [];
  for (;;) {
    const line = await channel.readLine();
    const match = REPLY_LINE.exec(line) ?? /^(\d{3})()$/.exec(line);
    if (match === null)
      throw new UpstreamUnavailableError(
        channel.target,
        `not an SMTP reply: ${channel.redact(line).slice(0, 200)}`,
      );
    raw.push(line);
    lines.push(match[3] ?? '');
    if (match[2] !== '-') return { code: Number(match[1]), lines, raw: raw.join('\r\n') };
  }
}

/** The EHLO keywords of a 250 reply, e.g. `['PIPELINING', 'SIZE 35882577', 'AUTH PLAIN XOAUTH2']`. */
export function ehloKeywords(reply: SmtpReply): string[] {
  return reply.lines
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
