import {
  AuthorizerError,
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  isLoopbackAddress,
  isLoopbackHost,
  loopbackOnlyLookup,
  OAUTH_ERROR_RESPONSE,
  OAUTH_HTTP_ERROR,
  OAUTH_INSECURE_ENDPOINT,
  OAuthHttpError,
  OAuthResponseError,
  type ProviderConfig,
  redact,
  redactError,
  refreshTokens,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import {
  echoRequestAnswer,
  type HostileTokenEndpoint,
  startHostileTokenEndpoint,
} from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

// Secrets with every character that encodes differently in URL, form and base64 form.
const CLIENT_ID = 'conf 3:ü';
const CLIENT_SECRET = "s3cr et+/=&ü!*'()~end";
const REFRESH_TOKEN = 'rt ü+/=&!*x-refresh';
const CODE = 'code ü+&=!abc';
const VERIFIER = 'verifier-~._ü+ 0123456789abcdef0123456789abcdef';

/** Every text an error exposes: messages, stacks, fields and JSON of the whole cause chain. */
function exposedText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(record)) {
      const value = record[key];
      if (typeof value === 'string') parts.push(value);
    }
    parts.push(JSON.stringify(record));
    current = record.cause;
  }
  return parts.join('\n');
}

function formsOf(secret: string): string[] {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).toLowerCase(),
    form,
    encodeURIComponent(secret).replace(/%20/g, '+'),
    Buffer.from(secret).toString('base64'),
  ];
}

function expectNoSecrets(error: unknown, secrets: string[]): void {
  const text = exposedText(error);
  const basicForm = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  const all = [
    ...secrets.flatMap(formsOf),
    Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'),
    Buffer.from(`${basicForm(CLIENT_ID)}:${basicForm(CLIENT_SECRET)}`).toString('base64'),
  ];
  for (const form of all) expect(text, `leaked ${form}`).not.toContain(form);
}

let server: HostileTokenEndpoint | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function providerAt(url: string, clientAuth: ProviderConfig['clientAuth']): ProviderConfig {
  return {
    tokenUrl: `${url}/token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...(clientAuth ? { clientAuth } : {}),
  };
}

describe('a token endpoint that echoes the request into error_description', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    'leaks no secret in any encoding with %s, in the message, the fields or the cause chain',
    async (clientAuth) => {
      server = await startHostileTokenEndpoint((request) => {
        const echo = echoRequestAnswer(request);
        const body = echo.body as Record<string, string>;
        // A server that decodes the Basic header and re-encodes it, and lower-cases escapes.
        body.error_description += ` raw=${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
        body.error_description += ` lower=${request.body.toLowerCase()}`;
        return echo;
      });
      const error = await refreshTokens(providerAt(server.url, clientAuth), REFRESH_TOKEN).catch((e) => e);
      expect(error).toBeInstanceOf(OAuthResponseError);
      expect(error.code).toBe(OAUTH_ERROR_RESPONSE);
      // The echo arrived: the test would see a leak.
      expect(error.errorDescription).toContain('[redacted]');
      expect(server.requests).toHaveLength(1);
      expectNoSecrets(error, [CLIENT_SECRET, REFRESH_TOKEN]);
    },
  );

  it('leaks neither the code nor the PKCE verifier of a code exchange', async () => {
    server = await startHostileTokenEndpoint((request) => echoRequestAnswer(request, 200));
    const provider = {
      ...providerAt(server.url, 'client_secret_post'),
      authorizationUrl: `${server.url}/authorize`,
    };
    const request = {
      ...createAuthorizationRequest(provider, { redirectUri: 'http://127.0.0.1/callback' }),
      codeVerifier: VERIFIER,
    };
    const callback = `http://127.0.0.1/callback?${new URLSearchParams({ code: CODE, state: request.state })}`;
    const response = validateAuthorizationResponse(provider, request, callback);
    const error = await exchangeAuthorizationCode(provider, request, response).catch((e) => e);
    expect(error).toBeInstanceOf(AuthorizerError);
    expectNoSecrets(error, [CLIENT_SECRET, CODE, VERIFIER]);
  });
});

describe('redactError()', () => {
  it('cleans every message, stack and string field along the cause chain', () => {
    const inner = { detail: `got ${encodeURIComponent(CLIENT_SECRET)}` };
    const middle = new Error(`middle ${Buffer.from(CLIENT_SECRET).toString('base64')}`, { cause: inner });
    const outer = new AuthorizerError('OAUTH_X', `outer ${CLIENT_SECRET}`, {
      cause: middle,
      hint: CLIENT_SECRET,
    });
    expect(redactError(outer, [CLIENT_SECRET])).toBe(outer);
    expectNoSecrets(outer, [CLIENT_SECRET]);
    expect(outer.message).toBe('outer [redacted]');
    expect(middle.message).toBe('middle [redacted]');
    expect(inner.detail).toBe('got [redacted]');
  });

  it('redact() skips short and absent secrets and leaves other text alone', () => {
    expect(redact('abc a b', 'abc', undefined)).toBe('abc a b');
    expect(redact('x s3cr%2Bt y', 's3cr+t')).toBe('x [redacted] y');
  });
});

describe('OAUTH_HTTP_ERROR', () => {
  it('carries the HTTP status', async () => {
    server = await startHostileTokenEndpoint(() => ({ status: 502, body: '<html>bad gateway</html>' }));
    const error = await refreshTokens(providerAt(server.url, 'client_secret_basic'), REFRESH_TOKEN).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(OAuthHttpError);
    expect(error.code).toBe(OAUTH_HTTP_ERROR);
    expect(error.status).toBe(502);
    expect(error.transient).toBe(true);
  });
});

describe('loopback by name', () => {
  it('counts only localhost and loopback IP literals, not *.localhost', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '::1',
      '[::ffff:127.0.0.1]',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      'auth.localhost',
      'localhost.',
      'evil.com',
      '128.0.0.1',
      '[::2]',
      '10.0.0.1',
      '[::ffff:10.0.0.1]',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(isLoopbackAddress('localhost')).toBe(false);
  });

  it('refuses plain http: to a *.localhost token endpoint before any request', async () => {
    const error = await refreshTokens(
      { tokenUrl: 'http://auth.localhost:1/token', clientId: 'c', clientSecret: CLIENT_SECRET },
      REFRESH_TOKEN,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(AuthorizerError);
    expect(error.code).toBe(OAUTH_INSECURE_ENDPOINT);
  });

  it('pins localhost to loopback answers: a resolver answering 10.0.0.1 is refused with a typed error', async () => {
    const lookup = loopbackOnlyLookup((_host, _options, callback) =>
      callback(null, [
        { address: '127.0.0.1', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ]),
    );
    const refused = await new Promise<unknown>((resolve) =>
      lookup('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(refused).toBeInstanceOf(AuthorizerError);
    expect((refused as AuthorizerError).code).toBe(OAUTH_INSECURE_ENDPOINT);
    expect((refused as AuthorizerError).message).toContain('10.0.0.1');
    const fine = await new Promise<unknown[]>((resolve) =>
      loopbackOnlyLookup((_h, _o, callback) => callback(null, [{ address: '::1', family: 6 }]))(
        'localhost',
        {},
        (...args) => resolve(args),
      ),
    );
    expect(fine).toEqual([null, '::1', 6]);
  });

  it('still reaches a real token endpoint at http://localhost through the pinned lookup', async () => {
    server = await startHostileTokenEndpoint(() => ({
      body: { access_token: 'at-local', token_type: 'bearer' },
    }));
    const url = server.url.replace('127.0.0.1', 'localhost');
    const tokens = await refreshTokens(providerAt(url, 'client_secret_basic'), REFRESH_TOKEN);
    expect(tokens.accessToken).toBe('at-local');
  });
});
