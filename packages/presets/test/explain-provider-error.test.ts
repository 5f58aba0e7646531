import {
  AuthorizationResponseError,
  AuthorizerError,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAuthResponseError,
} from '@oauth-authorizer/core';
import { explainProviderError } from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.parse('2026-12-07T12:00:00Z');

/** A token-endpoint error as core throws it. */
function tokenError(error: string, description?: string, status = 400): OAuthResponseError {
  return new OAuthResponseError(
    { error, ...(description !== undefined && { error_description: description }) },
    status,
  );
}

/** A mail adapter's authentication error: the server's reply is on `serverReply`. */
function mailError(serverReply: string): Error {
  return Object.assign(new AuthorizerError('OAUTH_TOKEN_REJECTED', 'the server refused the token'), {
    serverReply,
  });
}

describe('explainProviderError(): Microsoft', () => {
  it.each([
    ['65001', /not consented/, /admin consent/],
    ['90094', /administrator/, /admin consent/],
    ['700016', /No app with this client ID/, /multitenant/],
    ['9002313', /malformed/, /tenant/],
    ['70000', /grant was refused/, /authorize/],
    ['50173', /password/, /authorize/],
    ['700082', /90 days/, /authorize/],
    ['70043', /sign-in frequency/, /authorize/],
    ['7000112', /disabled/, /Enterprise applications/],
    ['9001023', /common or consumers/, /--tenant/],
    ['50194', /single-tenant/, /--tenant/],
    ['7000218', /client secret/, /Allow public client flows/],
    ['700025', /public client/, /without a client secret/],
    ['7000215', /secret ID/, /Value/],
    ['50076', /multifactor/, /second factor/],
    ['50079', /register for multifactor/, /mfasetup/],
    ['53003', /Conditional Access/, /administrator/],
  ])('AADSTS%s in the description is explained, with a fix and its source', (code, explanation, fix) => {
    const error = tokenError('invalid_grant', `AADSTS${code}: something went wrong. Trace ID: 0000`);
    const result = explainProviderError('microsoft', error);
    expect(result?.code).toBe(`AADSTS${code}`);
    expect(result?.explanation).toMatch(explanation);
    expect(result?.fix).toMatch(fix);
    expect(result?.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });

  it('AADSTS50011 shows the redirect URL that was sent', () => {
    const error = new AuthorizationResponseError({
      error: 'invalid_request',
      error_description: "AADSTS50011: The redirect URI 'http://localhost:5555/' does not match",
    });
    const result = explainProviderError('microsoft', error, { redirectUrl: 'http://localhost:5555/' });
    expect(result?.explanation).toContain('(http://localhost:5555/)');
    expect(result?.fix).toContain('Mobile and desktop applications');
  });

  it('finds the code in a cause: the refresh error core wraps in OAUTH_AUTHORIZATION_REQUIRED', () => {
    const cause = tokenError(
      'invalid_grant',
      'AADSTS700082: The refresh token has expired due to inactivity.',
    );
    const error = new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, 'authorize again', { cause });
    expect(explainProviderError('microsoft', error)?.code).toBe('AADSTS700082');
  });

  it('AADSTS70000 is not mistaken for AADSTS700000-something, nor 700082 for 70008', () => {
    expect(explainProviderError('microsoft', tokenError('invalid_grant', 'AADSTS700082: x'))?.code).toBe(
      'AADSTS700082',
    );
    expect(explainProviderError('microsoft', tokenError('invalid_grant', 'AADSTS7000001: x'))?.code).toBe(
      'invalid_grant',
    );
  });

  it('explains Exchange Online replies: 535 5.7.139 (SMTP AUTH off) and 5.7.3 (scope or permission)', () => {
    const off = explainProviderError(
      'microsoft',
      mailError(
        '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
      ),
    );
    expect(off?.code).toBe('535 5.7.139');
    expect(off?.fix).toContain('Set-CASMailbox');
    const scope = explainProviderError('microsoft', mailError('535 5.7.3 Authentication unsuccessful'));
    expect(scope?.code).toBe('5.7.3 Authentication unsuccessful');
    expect(scope?.fix).toContain('Add-MailboxPermission');
  });
});

describe('explainProviderError(): Google', () => {
  const expired = () => tokenError('invalid_grant', 'Token has been expired or revoked.');

  it('a 6 to 8 day old refresh token is explained by the 7-day tokens of apps in "Testing"', () => {
    for (const days of [6, 7, 8]) {
      const result = explainProviderError('google', expired(), {
        refreshTokenObtainedAt: now - days * DAY,
        now,
      });
      expect(result?.explanation, `${days} days`).toContain('"Testing"');
      expect(result?.fix).toContain('In production');
    }
    const iso = new Date(now - 7 * DAY).toISOString();
    expect(explainProviderError('google', expired(), { refreshTokenObtainedAt: iso, now })?.code).toBe(
      'invalid_grant (7-day refresh token)',
    );
  });

  it('an older, newer or unknown refresh token age gets the general "expired or revoked" explanation', () => {
    for (const obtained of [now - 30 * DAY, now - 2 * DAY, undefined]) {
      const result = explainProviderError('google', expired(), { refreshTokenObtainedAt: obtained, now });
      expect(result?.code).toBe('invalid_grant');
      expect(result?.explanation).not.toContain('"Testing"');
    }
  });

  it.each([
    ['redirect_uri_mismatch', /Desktop app/],
    ['org_internal', /External/],
    ['admin_policy_enforced', /Workspace administrator/],
    ['disallowed_useragent', /regular browser/],
    ['access_denied', /Test users/],
  ])('%s is explained with its fix', (code, fix) => {
    const error = new AuthorizationResponseError({ error: code });
    const result = explainProviderError('google', error);
    expect(result?.code).toBe(code);
    expect(result?.fix).toMatch(fix);
    expect(result?.source).toMatch(/^https:\/\/developers\.google\.com\//);
  });

  it('invalid_scope in the device flow says the Gmail scope is not allowed there', () => {
    const device = explainProviderError('google', tokenError('invalid_scope'), { flow: 'device' });
    expect(device?.explanation).toContain('https://mail.google.com/');
    expect(device?.fix).toContain('--flow code');
    expect(explainProviderError('google', tokenError('invalid_scope'), { flow: 'code' })?.code).toBe(
      'invalid_scope',
    );
  });

  it('explains Gmail replies 534-5.7.9 and [AUTHENTICATIONFAILED]', () => {
    const password = explainProviderError(
      'google',
      mailError('534-5.7.9 Application-specific password required. For more information, go to'),
    );
    expect(password?.code).toBe('534-5.7.9');
    expect(password?.explanation).toContain('XOAUTH2');
    const imap = explainProviderError(
      'google',
      mailError('A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)'),
    );
    expect(imap?.code).toBe('[AUTHENTICATIONFAILED]');
    expect(imap?.explanation).toContain('https://mail.google.com/');
  });
});

describe('explainProviderError(): Yahoo, AOL, Zoho, Yandex, GitHub', () => {
  it.each([
    ['yahoo', 'INVALID_REDIRECT_URI', 'INVALID_REDIRECT_URI'],
    ['yahoo', 'invalid_scope', 'INVALID_SCOPE'],
    ['aol', 'invalid_client', 'INVALID_CLIENT'],
    ['zoho', 'invalid_client', 'invalid_client'],
    ['zoho', 'invalid_code', 'invalid_code'],
    ['yandex', 'bad_verification_code', 'bad_verification_code'],
    ['yandex', 'unauthorized_client', 'unauthorized_client'],
    ['github', 'incorrect_client_credentials', 'incorrect_client_credentials'],
    ['github', 'device_flow_disabled', 'device_flow_disabled'],
  ])('%s: %s is explained from its own table', (presetId, error, code) => {
    const result = explainProviderError(presetId, tokenError(error, undefined, 200));
    expect(result?.code).toBe(code);
    expect(result?.source).toMatch(/^https:\/\//);
  });

  it("Zoho's invalid_client points at the data centre and Multi-DC", () => {
    expect(explainProviderError('zoho', tokenError('invalid_client'))?.fix).toContain('dataCenter');
  });

  it('an AADSTS code means nothing for another provider, and an unknown error has no explanation', () => {
    expect(explainProviderError('google', tokenError('server_error', 'AADSTS700082: x'))).toBeUndefined();
    expect(explainProviderError('microsoft', new Error('socket hang up'))).toBeUndefined();
    expect(explainProviderError('microsoft', undefined)).toBeUndefined();
  });

  it('a preset without a table, or a community preset, gets the explanations every provider shares', () => {
    expect(explainProviderError('mailru', tokenError('invalid_grant'))?.source).toContain('rfc6749');
    expect(explainProviderError('acme', mailError('a NO [AUTHENTICATIONFAILED] no'))?.source).toContain(
      'rfc5530',
    );
  });

  it('never repeats what the provider sent, so a token in a description cannot leak through it', () => {
    // A made-up value in the shape of a Google access token (never issued): a fixture, not a secret.
    const secret = 'ya29.a0AfH6SMBsecret-token';
    const result = explainProviderError('google', tokenError('invalid_grant', `bad token ${secret}`));
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});

describe('explainProviderError(): includeCommon', () => {
  it('leaves out the errors every provider may send when asked, keeping the provider’s own', () => {
    const denied = tokenError('access_denied', 'the user said no');
    expect(explainProviderError('custom', denied)?.code).toBe('access_denied');
    expect(explainProviderError('custom', denied, { includeCommon: false })).toBeUndefined();
    expect(
      explainProviderError('google', tokenError('invalid_grant', 'Token has been expired or revoked.'), {
        includeCommon: false,
      })?.code,
    ).toMatch(/^invalid_grant/);
  });
});
