import {
  AuthorizerError,
  authorizeWithCode,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_ISSUER_MISMATCH,
  type ProviderConfig,
} from '@oauth-authorizer/core';
import { type HostileTokenEndpoint, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedirectListener, startRedirectListener } from '../src/index.js';
import { type ClientResponse, send } from './http-client.js';

// The page says "Authorization complete" only for a response that passed core's validation
// (state, iss, error, code): a mix-up (RFC 9207) must not be told it worked while core refuses it.

const ISSUER = 'https://issuer.example.test';

let server: HostileTokenEndpoint | undefined;
const listeners: RedirectListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  await server?.close();
  server = undefined;
});

async function listener(): Promise<RedirectListener> {
  const started = await startRedirectListener('http://127.0.0.1:0/callback');
  listeners.push(started);
  return started;
}

/** Runs authorizeWithCode(); the "browser" comes back with `query(state)` added to the redirect. */
async function authorize(query: (state: string) => Record<string, string>) {
  server = await startHostileTokenEndpoint(() => ({
    body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 },
  }));
  const provider: ProviderConfig = {
    issuer: ISSUER,
    authorizationUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    clientId: 'native',
    issuerInAuthorizationResponse: true,
  };
  const receiver = await listener();
  let page: ClientResponse | undefined;
  const outcome = await authorizeWithCode(provider, {
    receiver,
    userAgent: {
      openUrl: async (url) => {
        const state = new URL(url).searchParams.get('state') ?? '';
        page = await send(`${receiver.redirectUri}?${new URLSearchParams(query(state))}`);
      },
    },
  }).catch((e: unknown) => e);
  return { outcome, page: page as ClientResponse, tokenRequests: server.requests.length };
}

describe('the page the browser gets after the redirect', () => {
  it('an iss of another server (mix-up): "Authorization failed", and core throws OAUTH_ISSUER_MISMATCH', async () => {
    const { outcome, page, tokenRequests } = await authorize((state) => ({
      code: 'code-1',
      state,
      iss: 'https://evil.example.test',
    }));
    expect((outcome as AuthorizerError).code).toBe(OAUTH_ISSUER_MISMATCH);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('Authorization complete');
    expect(page.body).toContain('Authorization failed');
    expect(page.body).toContain('id="problem"');
    expect(page.body).toContain('&quot;https://evil.example.test&quot;');
    expect(tokenRequests).toBe(0);
  });

  it('no iss from a server that promises one: "Authorization failed"', async () => {
    const { outcome, page } = await authorize((state) => ({ code: 'code-1', state }));
    expect((outcome as AuthorizerError).code).toBe(OAUTH_ISSUER_MISMATCH);
    expect(page.body).not.toContain('Authorization complete');
    expect(page.body).toContain('Authorization failed');
  });

  it('an error redirect keeps its page naming the error', async () => {
    const { outcome, page } = await authorize((state) => ({ error: 'access_denied', state, iss: ISSUER }));
    expect((outcome as AuthorizerError).code).toBe(OAUTH_AUTHORIZATION_DENIED);
    expect(page.body).toContain('<code id="error">access_denied</code>');
    expect(page.body).not.toContain('id="problem"');
  });

  it('a valid response: "Authorization complete", and the tokens', async () => {
    const { outcome, page, tokenRequests } = await authorize((state) => ({
      code: 'code-1',
      state,
      iss: ISSUER,
    }));
    expect(outcome).toMatchObject({ accessToken: 'at-1' });
    expect(page.body).toContain('Authorization complete');
    expect(tokenRequests).toBe(1);
  });
});

describe('waitForCallback({ validate })', () => {
  it('rejects with what validate threw, after the failure page, and resolves when it passes', async () => {
    const refusing = await listener();
    const refusal = new AuthorizerError(OAUTH_ISSUER_MISMATCH, 'wrong <issuer>');
    const waiting = refusing.waitForCallback({
      state: 'st-1',
      validate: () => {
        throw refusal;
      },
    });
    waiting.catch(() => undefined);
    const page = await send(`${refusing.redirectUri}?code=c&state=st-1`);
    expect(page.body).toContain('The application refused this answer: wrong &lt;issuer&gt;');
    expect(page.body).not.toContain('Authorization complete');
    await expect(waiting).rejects.toBe(refusal);

    const passing = await listener();
    const seen: string[] = [];
    const resolved = passing.waitForCallback({ state: 'st-2', validate: (url) => void seen.push(url.href) });
    const ok = await send(`${passing.redirectUri}?code=c&state=st-2`);
    expect(ok.body).toContain('Authorization complete');
    const url = await resolved;
    expect(seen).toEqual([url.href]);
  });

  it('a validate that is not a function is a TypeError', async () => {
    const started = await listener();
    expect(() =>
      started.waitForCallback({ state: 's', validate: 'yes' as unknown as (callback: URL) => void }),
    ).toThrow(TypeError);
  });
});
