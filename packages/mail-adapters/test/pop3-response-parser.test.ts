import { MAIL_PROTOCOL_ERROR } from '@oauth-authorizer/mail-adapters';
import { describe, expect, it } from 'vitest';
import {
  isTerminator,
  Pop3LineSplitter,
  parseCapabilities,
  parseListLine,
  parseStat,
  parseStatusLine,
  parseUidlLine,
  unstuffLine,
} from '../src/pop3/response-parser.js';

const protocolError = expect.objectContaining({ code: MAIL_PROTOCOL_ERROR });

describe('parseStatusLine()', () => {
  it('reads +OK, -ERR with an RFC 2449 response code, and SASL continuations', () => {
    expect(parseStatusLine('+OK Dovecot ready.')).toEqual({
      status: '+OK',
      text: 'Dovecot ready.',
      responseCode: undefined,
    });
    expect(parseStatusLine('+OK')).toEqual({ status: '+OK', text: '', responseCode: undefined });
    expect(parseStatusLine('-ERR [AUTH] Authentication failed.')).toEqual({
      status: '-ERR',
      text: 'Authentication failed.',
      responseCode: 'AUTH',
    });
    expect(parseStatusLine('-ERR [SYS/TEMP] Temporary failure')).toMatchObject({ responseCode: 'SYS/TEMP' });
    expect(parseStatusLine('-ERR no such message')).toMatchObject({
      status: '-ERR',
      text: 'no such message',
    });
    expect(parseStatusLine('+ eyJzdGF0dXMiOiI0MDEifQ==')).toEqual({
      status: '+',
      text: 'eyJzdGF0dXMiOiI0MDEifQ==',
      responseCode: undefined,
    });
    expect(parseStatusLine('+ ')).toMatchObject({ status: '+', text: '' });
    expect(parseStatusLine('+')).toMatchObject({ status: '+', text: '' });
  });

  it('throws MAIL_PROTOCOL_ERROR for a line that is no status', () => {
    expect(() => parseStatusLine('* OK IMAP4rev1 ready')).toThrow(protocolError);
    expect(() => parseStatusLine('+OKAY')).toThrow(protocolError);
    expect(() => parseStatusLine('')).toThrow(protocolError);
  });
});

describe('multi-line blocks', () => {
  it('recognises only a lone dot as the terminator', () => {
    expect(isTerminator(Buffer.from('.'))).toBe(true);
    expect(isTerminator(Buffer.from('..'))).toBe(false);
    expect(isTerminator(Buffer.from('. '))).toBe(false);
    expect(isTerminator(Buffer.from(''))).toBe(false);
  });

  it('removes exactly one leading dot (RFC 1939 byte-stuffing)', () => {
    expect(unstuffLine(Buffer.from('..')).toString()).toBe('.');
    expect(unstuffLine(Buffer.from('...signature')).toString()).toBe('..signature');
    expect(unstuffLine(Buffer.from('.hidden')).toString()).toBe('hidden');
    expect(unstuffLine(Buffer.from('no dot.')).toString()).toBe('no dot.');
    expect(unstuffLine(Buffer.from('')).toString()).toBe('');
  });
});

describe('replies', () => {
  it('parses STAT, LIST and UIDL lines', () => {
    expect(parseStat('2 320')).toEqual({ count: 2, size: 320 });
    expect(parseListLine('1 120')).toEqual({ number: 1, size: 120 });
    expect(parseUidlLine('2 QhdPYR:00WBw1Ph7x7')).toEqual({ number: 2, uid: 'QhdPYR:00WBw1Ph7x7' });
    expect(parseUidlLine('3 000000016004fbf2 ')).toEqual({ number: 3, uid: '000000016004fbf2' });
  });

  it('throws MAIL_PROTOCOL_ERROR for malformed numbers and unique ids', () => {
    expect(() => parseStat('two 320')).toThrow(protocolError);
    expect(() => parseStat('2')).toThrow(protocolError);
    expect(() => parseListLine('1 -5')).toThrow(protocolError);
    expect(() => parseListLine('1 99999999999999999999')).toThrow(protocolError);
    expect(() => parseUidlLine('1')).toThrow(protocolError);
    expect(() => parseUidlLine(`1 ${'x'.repeat(71)}`)).toThrow(protocolError);
  });

  it('parses CAPA into upper-case names and their arguments', () => {
    const capabilities = parseCapabilities([
      'TOP',
      'UIDL',
      'SASL XOAUTH2 OAUTHBEARER',
      'stls',
      'IMPLEMENTATION Dovecot ',
    ]);
    expect([...capabilities.keys()]).toEqual(['TOP', 'UIDL', 'SASL', 'STLS', 'IMPLEMENTATION']);
    expect(capabilities.get('SASL')).toEqual(['XOAUTH2', 'OAUTHBEARER']);
    expect(capabilities.get('TOP')).toEqual([]);
  });
});

describe('Pop3LineSplitter', () => {
  it('splits at CRLF and bare LF across chunk boundaries, keeping 8-bit bytes', () => {
    const splitter = new Pop3LineSplitter(1000);
    expect(splitter.push(Buffer.from('+OK 2 mes')).map(String)).toEqual([]);
    expect(splitter.pendingBytes).toBe(9);
    expect(splitter.push(Buffer.from('sages\r')).map(String)).toEqual([]);
    const lines = splitter.push(
      Buffer.concat([Buffer.from('\n1 10\nl\xe4uft\r\n', 'latin1'), Buffer.from('.\r\n')]),
    );
    expect(lines.map((line) => line.toString('latin1'))).toEqual(['+OK 2 messages', '1 10', 'l\xe4uft', '.']);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('throws MAIL_PROTOCOL_ERROR for a line over the limit, complete or not', () => {
    expect(() => new Pop3LineSplitter(8).push(Buffer.from('123456789\r\n'))).toThrow(protocolError);
    expect(() => new Pop3LineSplitter(8).push(Buffer.from('1234567890'))).toThrow(protocolError);
    expect(new Pop3LineSplitter(8).push(Buffer.from('12345678\r\n')).map(String)).toEqual(['12345678']);
  });
});
