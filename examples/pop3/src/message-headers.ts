/**
 * Reading one header of a raw message (RFC 5322) the way a mail client shows it: folded lines
 * joined, and MIME encoded-words (RFC 2047, `=?UTF-8?B?…?=`) decoded, so a subject in any
 * language prints as its author wrote it.
 *
 * @module
 */

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** The header section: everything before the first empty line. */
function headerSection(raw: Buffer | string): string {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

function wordBytes(encoding: string, data: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(data, 'base64');
  // "Q": like quoted-printable, with "_" standing for a space (RFC 2047 §4.2).
  const bytes: number[] = [];
  for (let index = 0; index < data.length; index++) {
    const char = data[index] as string;
    const hex = data.slice(index + 1, index + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(char === '_' ? 0x20 : char.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeBytes(charset: string, bytes: Buffer): string | undefined {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes the RFC 2047 encoded-words in a header value. Adjacent words are joined before decoding
 * (the whitespace between them is not part of the text, §6.2), so a character whose bytes a
 * sender split over two words still comes out whole. A word in a charset this runtime does not
 * know is left as it is.
 *
 * @example
 * ```ts
 * decodeEncodedWords('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus =?ISO-8859-1?B?S/Zsbg==?='); // 'Grüße aus Köln'
 * ```
 */
export function decodeEncodedWords(value: string): string {
  let result = '';
  let pending: { charset: string; bytes: Buffer[]; source: string } | undefined;
  const flush = () => {
    if (!pending) return;
    result += decodeBytes(pending.charset, Buffer.concat(pending.bytes)) ?? pending.source;
    pending = undefined;
  };
  let last = 0;
  for (const match of value.matchAll(ENCODED_WORD)) {
    const [source, rawCharset = '', encoding = 'B', data = ''] = match;
    const between = value.slice(last, match.index);
    // RFC 2231 §5 lets a charset carry a language ("UTF-8*de"); the decoder wants the charset only.
    const charset = (rawCharset.split('*')[0] ?? rawCharset).toLowerCase();
    const adjacent = pending !== undefined && /^[ \t]*$/.test(between);
    if (pending && adjacent && pending.charset === charset) {
      pending.bytes.push(wordBytes(encoding, data));
      pending.source += between + source;
    } else {
      flush();
      if (!adjacent) result += between;
      pending = { charset, bytes: [wordBytes(encoding, data)], source };
    }
    last = match.index + source.length;
  }
  flush();
  return result + value.slice(last);
}

/**
 * The value of the first header called `name` (case-insensitive), unfolded and decoded;
 * `undefined` when the message has none.
 *
 * @example
 * ```ts
 * headerValue(await pop3.retrieveMessage(1), 'Subject'); // 'Grüße aus Köln'
 * ```
 */
export function headerValue(raw: Buffer | string, name: string): string | undefined {
  // Unfolding (RFC 5322 §2.2.3) removes the line break before the continuation's whitespace.
  const lines = headerSection(raw)
    .replace(/\r?\n(?=[ \t])/g, '')
    .split(/\r?\n/);
  const prefix = `${name.toLowerCase()}:`;
  const line = lines.find((candidate) => candidate.toLowerCase().startsWith(prefix));
  return line === undefined ? undefined : decodeEncodedWords(line.slice(prefix.length).trim());
}
