import {
  decodeSaslErrorChallenge,
  MAIL_INVALID_SASL_CHALLENGE,
  oauthBearerInitialResponse,
  saslErrorAcknowledgement,
  saslInitialResponse,
  xoauth2InitialResponse,
} from '@oauth-authorizer/mail-adapters';
import { describe, expect, it } from 'vitest';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('xoauth2InitialResponse()', () => {
  it('encodes user=U^Aauth=Bearer T^A^A in base64', () => {
    // Not a secret: the example user and token of Google's XOAUTH2 protocol page
    // (https://developers.google.com/workspace/gmail/imap/xoauth2-protocol).
    const response = xoauth2InitialResponse(
      'someuser@example.com',
      'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg',
    );
    expect(decode(response)).toBe(
      'user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01',
    );
    // Google's documented example, byte for byte.
    expect(response).toBe(
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
  });

  it('refuses a user or token with a control character, which would forge fields', () => {
    expect(() => xoauth2InitialResponse('a@example.com\x01auth=Bearer x', 'token')).toThrow(TypeError);
    expect(() => xoauth2InitialResponse('a@example.com', 'tok\x01en')).toThrow(TypeError);
    expect(() => xoauth2InitialResponse('a@example.com', 'tok\r\nen')).toThrow(TypeError);
    expect(() => xoauth2InitialResponse('', 'token')).toThrow(TypeError);
  });
});

describe('oauthBearerInitialResponse()', () => {
  it('builds the RFC 7628 message: GS2 header, host, port, auth, two ^A', () => {
    const response = oauthBearerInitialResponse({
      user: 'user@example.com',
      token: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==',
      host: 'server.example.com',
      port: 143,
    });
    // RFC 7628 §4.1, with the authzid of §3.1.
    expect(decode(response)).toBe(
      'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01',
    );
  });

  it('escapes "," and "=" in the authzid (RFC 5801 saslname)', () => {
    const response = oauthBearerInitialResponse({ user: 'a,b=c@example.com', token: 't' });
    expect(decode(response)).toBe('n,a=a=2Cb=3Dc@example.com,\x01auth=Bearer t\x01\x01');
  });

  it('leaves out host and port when not given, and refuses a bad port', () => {
    expect(
      decode(oauthBearerInitialResponse({ user: 'u@example.com', token: 't', host: 'imap.example.com' })),
    ).toBe('n,a=u@example.com,\x01host=imap.example.com\x01auth=Bearer t\x01\x01');
    expect(() => oauthBearerInitialResponse({ user: 'u', token: 't', port: 0 })).toThrow(TypeError);
    expect(() => oauthBearerInitialResponse({ user: 'u', token: 't', port: 1.5 })).toThrow(TypeError);
  });

  it('saslInitialResponse() picks the mechanism, and the error acknowledgement follows it', () => {
    const credentials = { user: 'u@example.com', token: 't', host: 'h', port: 995 };
    expect(saslInitialResponse('XOAUTH2', credentials)).toBe(xoauth2InitialResponse('u@example.com', 't'));
    expect(saslInitialResponse('OAUTHBEARER', credentials)).toBe(oauthBearerInitialResponse(credentials));
    expect(() => saslInitialResponse('PLAIN' as 'XOAUTH2', credentials)).toThrow(TypeError);
    expect(decode(saslErrorAcknowledgement('OAUTHBEARER'))).toBe('\x01');
    expect(saslErrorAcknowledgement('XOAUTH2')).toBe('');
  });
});

describe('decodeSaslErrorChallenge()', () => {
  it("decodes Google's XOAUTH2 challenge", () => {
    // Not a token: base64 of the JSON error body {"status":"401","schemes":"bearer","scope":"mail"}.
    expect(
      decodeSaslErrorChallenge('eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0='),
    ).toEqual({
      status: '401',
      schemes: 'bearer',
      scope: 'mail',
      openidConfiguration: undefined,
      fields: { status: '401', schemes: 'bearer', scope: 'mail' },
    });
  });

  it('decodes an RFC 7628 challenge with openid-configuration, and a numeric status as a string', () => {
    const challenge = decodeSaslErrorChallenge(
      base64Json({
        status: 'invalid_token',
        scope: 'example_scope',
        'openid-configuration': 'https://example.com/.well-known/openid-configuration',
      }),
    );
    expect(challenge.status).toBe('invalid_token');
    expect(challenge.scope).toBe('example_scope');
    expect(challenge.openidConfiguration).toBe('https://example.com/.well-known/openid-configuration');
    expect(decodeSaslErrorChallenge(base64Json({ status: 400 })).status).toBe('400');
  });

  it('accepts base64 without padding and surrounding spaces', () => {
    const padded = base64Json({ status: 'invalid_token' });
    expect(decodeSaslErrorChallenge(` ${padded.replace(/=+$/, '')} `).status).toBe('invalid_token');
  });

  it.each([
    ['empty', ''],
    ['not base64', 'not*base64!'],
    ['base64 of non-JSON', Buffer.from('Authentication failed').toString('base64')],
    ['a JSON array', base64Json(['status'])],
    ['JSON without status', base64Json({ scope: 'mail' })],
    ['a status that is an object', base64Json({ status: { code: 401 } })],
  ])('throws MAIL_INVALID_SASL_CHALLENGE for %s', (_name, input) => {
    expect(() => decodeSaslErrorChallenge(input)).toThrow(
      expect.objectContaining({ code: MAIL_INVALID_SASL_CHALLENGE }),
    );
  });
});
