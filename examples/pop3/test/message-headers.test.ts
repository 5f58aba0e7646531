import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, headerValue } from '../src/message-headers.js';

describe('decodeEncodedWords()', () => {
  it('decodes B and Q words in any charset the runtime knows', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus =?ISO-8859-1?B?S/Zsbg==?=')).toBe(
      'Grüße aus Köln',
    );
  });

  it('drops the whitespace between adjacent words, whatever their charsets', () => {
    expect(decodeEncodedWords('=?UTF-8?B?w6Q=?= =?ISO-8859-1?Q?=F6?=  =?utf-8?q?_x?=')).toBe('äö x');
  });

  it('joins the bytes of adjacent words first, so a character split between them comes out whole', () => {
    // U+1F600 is F0 9F 98 80 in UTF-8, split here after its second byte.
    expect(decodeEncodedWords('=?UTF-8?B?8J8=?= =?UTF-8?B?mIA=?=')).toBe('\u{1F600}');
  });

  it('takes "_" for a space in Q words and ignores a language after the charset', () => {
    expect(decodeEncodedWords('=?utf-8*de?q?Guten_Tag?=')).toBe('Guten Tag');
  });

  it('leaves a word in an unknown charset, and plain text, as they are', () => {
    expect(decodeEncodedWords('Re: =?x-unknown?B?AAA=?= ok')).toBe('Re: =?x-unknown?B?AAA=?= ok');
    expect(decodeEncodedWords('Plain = text?')).toBe('Plain = text?');
  });
});

describe('headerValue()', () => {
  const raw = Buffer.from(
    [
      'From: Alice <alice@example.test>',
      'subject: Hello',
      '  =?UTF-8?B?V8O2cmxk?=',
      'X-Other: 1',
      '',
      'Subject: not a header, the body',
    ].join('\r\n'),
  );

  it('unfolds and decodes the first header with the name, in any letter case', () => {
    expect(headerValue(raw, 'Subject')).toBe('Hello  Wörld');
  });

  it('reads headers only, never the body', () => {
    expect(headerValue('X-Other: 1\n\nSubject: body', 'Subject')).toBeUndefined();
  });
});
