import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizerError,
  FileTokenStore,
  MAX_LIFETIME_SECONDS,
  OAUTH_INVALID_RESPONSE,
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  type ProviderConfig,
  TokenManager,
} from '@oauth-authorizer/core';
import {
  type HostileAnswer,
  type HostileTokenEndpoint,
  startHostileTokenEndpoint,
} from '@oauth-authorizer/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenSet } from './token-fixtures.js';

// The token manager against a real HTTP token endpoint that rotates the refresh token on every
// refresh and answers with something absurd: what is stored on disk afterwards is what counts,
// because the next process only has the file.

const account = 'me@example.test';
const TEN_YEARS_MS = MAX_LIFETIME_SECONDS * 1000;

let server: HostileTokenEndpoint | undefined;
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'hostile-endpoint-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(directory, { recursive: true, force: true });
});

/** A rotating endpoint: each answer gets a new refresh token `rt-rotated-N`. */
async function setup(answer: (serial: number) => HostileAnswer, options: Partial<ProviderConfig> = {}) {
  let serial = 0;
  server = await startHostileTokenEndpoint(() => answer(++serial));
  const provider: ProviderConfig = {
    tokenUrl: `${server.url}/token`,
    clientId: 'hostile-client',
    ...options,
  };
  const store = new FileTokenStore({ directory });
  const now = Date.now();
  const old = tokenSet({ obtainedAt: now - 3_660_000, expiresAt: now - 60_000, refreshToken: 'rt-original' });
  await store.set({ account, tokens: old });
  const manager = new TokenManager({ account, store, provider, retry: { retries: 0 } });
  return { store, manager, old };
}

/** The refresh token sent by each request, in order. */
function refreshTokensSent(): string[] {
  return (server?.requests ?? []).map(
    (request) => new URLSearchParams(request.body).get('refresh_token') ?? '',
  );
}

describe('TokenManager with a token endpoint that sends absurd lifetimes', () => {
  it.each([
    ['expires_in: 1e20', { expires_in: 1e20 }],
    ['expires_in: 1e400 (Infinity once parsed)', '1e400'],
    ['refresh_token_expires_in: 1e20', { expires_in: 3600, refresh_token_expires_in: 1e20 }],
  ] as const)(
    '%s: the rotated refresh token is stored and the lifetime is clamped to 10 years',
    async (_name, lifetime) => {
      const { store, manager } = await setup((serial) => {
        if (typeof lifetime === 'string') {
          return {
            headers: { 'content-type': 'application/json' },
            body: `{"access_token":"at-${serial}","token_type":"Bearer","refresh_token":"rt-rotated-${serial}","expires_in":${lifetime}}`,
          };
        }
        return {
          body: {
            access_token: `at-${serial}`,
            token_type: 'Bearer',
            refresh_token: `rt-rotated-${serial}`,
            ...lifetime,
          },
        };
      });
      const before = Date.now();
      expect(await manager.getAccessToken()).toBe('at-1');
      // A fresh store object reads what the next process would read: the file.
      const stored = (await new FileTokenStore({ directory }).get(account))?.tokens;
      expect(stored?.refreshToken).toBe('rt-rotated-1');
      expect(stored?.accessToken).toBe('at-1');
      for (const instant of [stored?.expiresAt, stored?.refreshTokenExpiresAt]) {
        if (instant === undefined) continue;
        expect(instant).toBeGreaterThan(before);
        expect(instant).toBeLessThanOrEqual(Date.now() + TEN_YEARS_MS);
      }
      expect(await store.get(account)).toBeDefined();
      expect(refreshTokensSent()).toEqual(['rt-original']);
    },
  );

  it('expires_in: 1e20 from a refresh function that bypasses the parser is clamped before the store writes it', async () => {
    const store = new FileTokenStore({ directory });
    const now = Date.now();
    await store.set({
      account,
      tokens: tokenSet({ obtainedAt: now - 3_660_000, expiresAt: now - 60_000, refreshToken: 'rt-original' }),
    });
    const manager = new TokenManager({
      account,
      store,
      provider: { tokenUrl: 'https://id.example.test/token', clientId: 'unit' },
      refresh: async () => tokenSet({ accessToken: 'at-far', refreshToken: 'rt-far', expiresAt: 1e23 }),
    });
    expect(await manager.getAccessToken()).toBe('at-far');
    const stored = (await new FileTokenStore({ directory }).get(account))?.tokens;
    expect(stored?.refreshToken).toBe('rt-far');
    expect(stored?.expiresAt).toBeLessThanOrEqual(Date.now() + TEN_YEARS_MS);
  });
});

describe('TokenManager with a token endpoint that rotates in a response it must refuse', () => {
  it.each([
    ['an access token with CR LF', { access_token: 'at-line1\r\nAUTH PLAIN evil' }, OAUTH_INVALID_RESPONSE],
    ['token_type MAC', { access_token: 'at-mac', token_type: 'MAC' }, OAUTH_UNSUPPORTED_TOKEN_TYPE],
    ['expires_in "soon"', { access_token: 'at-soon', expires_in: 'soon' }, OAUTH_INVALID_RESPONSE],
  ] as const)(
    '%s: a typed error, and the new refresh token is on disk for the next refresh',
    async (_name, body, code) => {
      const { manager } = await setup((serial) => ({
        body:
          serial === 1
            ? { ...body, refresh_token: 'rt-rotated-1' }
            : {
                access_token: 'at-good',
                token_type: 'Bearer',
                expires_in: 3600,
                refresh_token: 'rt-rotated-2',
              },
      }));
      const error = await manager.getAccessToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthorizerError);
      expect((error as AuthorizerError).code).toBe(code);
      expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain('rt-rotated-1');
      const stored = (await new FileTokenStore({ directory }).get(account))?.tokens;
      expect(stored?.refreshToken).toBe('rt-rotated-1');
      // The next caller (another process: a new manager) refreshes with the rotated one.
      const next = new TokenManager({
        account,
        store: new FileTokenStore({ directory }),
        provider: { tokenUrl: `${server?.url}/token`, clientId: 'hostile-client' },
      });
      expect(await next.getAccessToken()).toBe('at-good');
      expect(refreshTokensSent()).toEqual(['rt-original', 'rt-rotated-1']);
    },
  );
});
