import {
  AuthorizerError,
  MAX_LIFETIME_SECONDS,
  OAUTH_INVALID_RESPONSE,
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  type ProviderConfig,
  refreshTokens,
  startDeviceAuthorization,
  tokenSetFromResponse,
} from '@oauth-authorizer/core';
import { type HostileTokenEndpoint, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

// One rule per wire type (issue 18): a lifetime is read the same way in a token response and in a
// device authorization response; an access token must be usable as a bearer token (issue 13).

const NOW = 1_700_000_000_000;

function thrown(run: () => unknown): AuthorizerError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return error as AuthorizerError;
  }
  throw new Error('expected an error');
}

let server: HostileTokenEndpoint | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function deviceResponse(fields: Record<string, unknown>): Promise<unknown> {
  server = await startHostileTokenEndpoint(() => ({
    body: { device_code: 'dc-1', user_code: 'UC-1', verification_uri: 'https://x.test/device', ...fields },
  }));
  const provider: ProviderConfig = { deviceAuthorizationUrl: `${server.url}/device`, clientId: 'c' };
  return startDeviceAuthorization(provider).catch((e: unknown) => e);
}

describe('lifetimes: one rule for token and device authorization responses', () => {
  it.each([
    ['"3600.5"', '3600.5', /"expires_in" must be a number above zero and whole, got "3600.5"/],
    ['3600.5', 3600.5, /"expires_in" must be a number above zero and whole, got 3600.5/],
    ['0', 0, /"expires_in" must be a number above zero and whole, got 0/],
    ['"0"', '0', /"expires_in" must be a number above zero and whole, got "0"/],
    ['-5', -5, /"expires_in" must be a number above zero and whole, got -5/],
    ['"soon"', 'soon', /"expires_in" must be a number, got "soon"/],
    ['true', true, /"expires_in" must be a number, got boolean/],
  ])('expires_in %s is refused by both with OAUTH_INVALID_RESPONSE', async (_name, value, message) => {
    const token = thrown(() => tokenSetFromResponse({ access_token: 'at-1', expires_in: value }, NOW));
    expect(token.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(token.message).toMatch(message);
    const device = (await deviceResponse({ expires_in: value })) as AuthorizerError;
    expect(device).toBeInstanceOf(AuthorizerError);
    expect(device.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(device.message).toMatch(message);
    expect(device.message).toMatch(/^device authorization response /);
  });

  it.each([
    ['3600', 3600, 3600],
    ['"3600"', '3600', 3600],
    ['" 1800 "', ' 1800 ', 1800],
    ['1e20 (clamped)', 1e20, MAX_LIFETIME_SECONDS],
  ])('expires_in %s is read by both as %s s', async (_name, value, seconds) => {
    expect(tokenSetFromResponse({ access_token: 'at-1', expires_in: value }, NOW).expiresAt).toBe(
      NOW + seconds * 1000,
    );
    const started = Date.now();
    const device = (await deviceResponse({ expires_in: value })) as { expiresAt: number };
    expect(device.expiresAt - started).toBeGreaterThanOrEqual(seconds * 1000 - 50);
    expect(device.expiresAt - Date.now()).toBeLessThanOrEqual(seconds * 1000);
  });

  it('a device interval of 2.5 or 0 is refused as a token lifetime would be', async () => {
    for (const interval of [2.5, 0, '2.5']) {
      const error = (await deviceResponse({ expires_in: 600, interval })) as AuthorizerError;
      expect(error.code).toBe(OAUTH_INVALID_RESPONSE);
      expect(error.message).toMatch(/"interval" must be a number above zero and whole/);
    }
  });

  it('MAX_LIFETIME_SECONDS is 10 years', () => {
    expect(MAX_LIFETIME_SECONDS).toBe(3650 * 86_400);
  });
});

describe('access tokens must be RFC 6750 b64tokens', () => {
  it.each([
    ['CR LF and a forged SASL command', 'at-line1\r\nAUTH PLAIN evil'],
    ['a space', 'at one'],
    ['a tab', 'at\tone'],
    ['a SASL separator', 'at\x01auth=Bearer forged'],
    ['a DEL', 'at\x7f'],
    ['a non-ASCII letter', 'at-ü'],
    ['a quote', 'at"x'],
    ['an = that is not trailing', 'at=x'],
  ])('%s → OAUTH_INVALID_RESPONSE, without the token in the message', (_name, accessToken) => {
    const error = thrown(() => tokenSetFromResponse({ access_token: accessToken }, NOW));
    expect(error.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(error.message).toContain('"access_token" must be an RFC 6750 b64token');
    expect(error.message).not.toContain(accessToken);
    expect(error.message).not.toContain('line1');
  });

  // Made-up values in the shapes tokens come in (a Google-style token; a JWT of {"alg":"RS256"},
  // {"sub":"1"} and the signature "sig"): fixtures, never issued by anyone.
  it.each(['ya29.a0AfH6SMB-_~+/token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'dGVzdA==', 'x'])(
    'accepts %s',
    (accessToken) => {
      expect(tokenSetFromResponse({ access_token: accessToken }, NOW).accessToken).toBe(accessToken);
    },
  );

  it('refreshTokens() against a real endpoint refuses `at-line1\\r\\nAUTH PLAIN evil`', async () => {
    server = await startHostileTokenEndpoint(() => ({
      body: { access_token: 'at-line1\r\nAUTH PLAIN evil', token_type: 'Bearer', expires_in: 3600 },
    }));
    const error = await refreshTokens({ tokenUrl: `${server.url}/token`, clientId: 'c' }, 'rt-12345').catch(
      (e: unknown) => e,
    );
    expect((error as AuthorizerError).code).toBe(OAUTH_INVALID_RESPONSE);
    expect(JSON.stringify(error) + String(error)).not.toContain('AUTH PLAIN evil');
  });
});

describe('token_type', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR', undefined, null])('accepts %s', (tokenType) => {
    const tokens = tokenSetFromResponse({ access_token: 'at-1', token_type: tokenType }, NOW);
    expect(tokens.tokenType).toBe(tokenType ?? 'Bearer');
  });

  it.each(['MAC', 'DPoP', 'N_A', 'Bearer ', ''])(
    'refuses %j with OAUTH_UNSUPPORTED_TOKEN_TYPE',
    (tokenType) => {
      const error = thrown(() => tokenSetFromResponse({ access_token: 'at-1', token_type: tokenType }, NOW));
      expect(error.code).toBe(OAUTH_UNSUPPORTED_TOKEN_TYPE);
      expect(error.message).toBe(
        `token response "token_type" must be "Bearer", got ${JSON.stringify(tokenType)}`,
      );
      expect(error.hint).toMatch(/tokenTypes/);
    },
  );

  it('a non-string token_type is OAUTH_INVALID_RESPONSE', () => {
    const error = thrown(() => tokenSetFromResponse({ access_token: 'at-1', token_type: 7 }, NOW));
    expect(error.code).toBe(OAUTH_INVALID_RESPONSE);
    expect(error.message).toMatch(/"token_type" must be a string, got number/);
  });

  it('accepts another type the caller opts in to, in any case', () => {
    const tokens = tokenSetFromResponse({ access_token: 'at-1', token_type: 'dpop' }, NOW, {
      tokenTypes: ['DPoP'],
    });
    expect(tokens.tokenType).toBe('dpop');
  });

  it("the provider's tokenTypes opt in for the flows", async () => {
    server = await startHostileTokenEndpoint(() => ({ body: { access_token: 'at-1', token_type: 'DPoP' } }));
    const provider: ProviderConfig = { tokenUrl: `${server.url}/token`, clientId: 'c' };
    const refused = await refreshTokens(provider, 'rt-12345').catch((e: unknown) => e);
    expect((refused as AuthorizerError).code).toBe(OAUTH_UNSUPPORTED_TOKEN_TYPE);
    const tokens = await refreshTokens({ ...provider, tokenTypes: ['DPoP'] }, 'rt-12345');
    expect(tokens.tokenType).toBe('DPoP');
  });
});
