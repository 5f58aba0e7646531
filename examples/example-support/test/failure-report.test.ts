import { AuthorizerError } from '@oauth-authorizer/core';
import {
  EXIT_AUTHORIZATION_REQUIRED,
  EXIT_CONFIGURATION,
  EXIT_FAILURE,
  EXIT_NETWORK,
  exitCodeFor,
  reportFailure,
} from '@oauth-authorizer/example-support';
import { describe, expect, it } from 'vitest';

const withCode = (code: string) => Object.assign(new Error('failed'), { code });

describe('exitCodeFor()', () => {
  it.each([
    ['EXAMPLE_SETTING_MISSING', EXIT_CONFIGURATION],
    ['PRESET_NOT_FOUND', EXIT_CONFIGURATION],
    ['OAUTH_INSECURE_ENDPOINT', EXIT_CONFIGURATION],
    ['OAUTH_AUTHORIZATION_REQUIRED', EXIT_AUTHORIZATION_REQUIRED],
    ['OAUTH_TOKEN_REJECTED', EXIT_AUTHORIZATION_REQUIRED],
    ['OAUTH_TIMEOUT', EXIT_NETWORK],
    ['MAIL_PROTOCOL_ERROR', EXIT_NETWORK],
    ['ECONNREFUSED', EXIT_NETWORK],
    ['ECONNECTION', EXIT_NETWORK],
    ['READ_MAIL_MAILBOX_UNAVAILABLE', EXIT_FAILURE],
  ])('maps %s to exit %i', (code, exit) => {
    expect(exitCodeFor(withCode(code))).toBe(exit);
  });

  it('maps a transient AuthorizerError of any other code to the network exit, and anything else to 1', () => {
    expect(exitCodeFor(new AuthorizerError('CALL_API_HTTP_ERROR', 'HTTP 503', { transient: true }))).toBe(
      EXIT_NETWORK,
    );
    expect(exitCodeFor(new AuthorizerError('CALL_API_HTTP_ERROR', 'HTTP 404'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor(new Error('plain'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor('a string')).toBe(EXIT_FAILURE);
    expect(exitCodeFor(undefined)).toBe(EXIT_FAILURE);
  });
});

describe('reportFailure()', () => {
  it('writes the message with its code, then the hint, and returns the exit code', () => {
    const lines: string[] = [];
    const error = new AuthorizerError('OAUTH_AUTHORIZATION_REQUIRED', 'account "me" has no tokens', {
      hint: 'run: oauth-authorizer authorize me',
    });

    expect(reportFailure('send-mail', error, { write: (text) => lines.push(text) })).toBe(
      EXIT_AUTHORIZATION_REQUIRED,
    );
    expect(lines).toEqual([
      'send-mail: account "me" has no tokens [OAUTH_AUTHORIZATION_REQUIRED]\n',
      'hint: run: oauth-authorizer authorize me\n',
    ]);
  });

  it("names the CLI's authorize command for the account when the account needs authorization", () => {
    const lines: string[] = [];
    const error = new AuthorizerError('OAUTH_AUTHORIZATION_REQUIRED', 'account "bob\'s" was rejected', {
      hint: 'authorize the account again',
    });
    expect(reportFailure('call-api', error, { write: (text) => lines.push(text), account: "bob's" })).toBe(
      EXIT_AUTHORIZATION_REQUIRED,
    );
    expect(lines[1]).toBe("hint: run: oauth-authorizer authorize 'bob'\\''s'\n");
  });

  it('writes one line without a code or hint for an error that has neither', () => {
    const lines: string[] = [];
    expect(reportFailure('pop3', new Error('boom'), { write: (text) => lines.push(text) })).toBe(
      EXIT_FAILURE,
    );
    expect(reportFailure('pop3', 'not an Error', { write: (text) => lines.push(text) })).toBe(EXIT_FAILURE);
    expect(lines).toEqual(['pop3: boom\n', 'pop3: not an Error\n']);
  });
});
