import {
  authorizeWithCode,
  OAUTH_AUTHORIZATION_DENIED,
  type ProviderConfig,
  refreshTokens,
  type TokenSet,
  type UserAgent,
} from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  CHROMIUM_PATH,
  clients,
  type HeadlessChromium,
  launchChromium,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedirectListener } from '../src/index.js';

// A missing Chromium fails these tests, as any missing system server does (`pnpm test:setup`).
const LOGIN = 'ada@example.test';
const SCOPES = ['openid', 'offline_access', 'email', 'mail'];

let server: AuthorizationServer;
let browser: HeadlessChromium;
let page: Page;

/** A person in the browser: signs in on the provider's page, then allows or denies consent. */
async function signInAndDecide(url: string, decision: 'allow' | 'deny'): Promise<void> {
  await page.goto(url);
  await page.fill('#login', LOGIN);
  await page.fill('#password', 'correct horse battery staple');
  await page.click('#sign-in');
  await page.click(decision === 'allow' ? '#allow' : '#deny');
  // The provider now redirects the browser to the listener, which shows its page.
  await page.waitForURL((current) => current.origin !== server.issuer, { waitUntil: 'load' });
}

/**
 * Runs core's code flow with the listener, and a `UserAgent` whose `openUrl` hands the URL to the
 * browser and returns at once, like a real browser opener. A failing browser step aborts the flow so
 * the test reports the browser's error instead of waiting for the listener's timeout.
 */
async function codeFlowInBrowser(redirectUrl: string, decision: 'allow' | 'deny') {
  const provider: ProviderConfig = { issuer: server.issuer, clientId: clients.native.clientId };
  const listener = await startRedirectListener(redirectUrl, { timeout: 60_000 });
  const controller = new AbortController();
  let browsing: Promise<void> = Promise.resolve();
  const userAgent: UserAgent = {
    openUrl(url) {
      browsing = signInAndDecide(url, decision).catch((error: unknown) => {
        controller.abort(error);
        throw error;
      });
      browsing.catch(() => {});
    },
  };
  try {
    const [flow] = await Promise.allSettled([
      authorizeWithCode(provider, {
        receiver: listener,
        userAgent,
        scopes: SCOPES,
        params: { prompt: 'consent' },
        signal: controller.signal,
      }),
    ]);
    await browsing;
    return { listener, flow, provider };
  } finally {
    await listener.close();
  }
}

function fulfilled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

async function expectUsableTokens(tokens: TokenSet): Promise<void> {
  expect(tokens.accessToken).toEqual(expect.any(String));
  expect(tokens.refreshToken).toEqual(expect.any(String));
  expect(tokens.idToken).toEqual(expect.any(String));
  // The access token is for the mail resource; offline_access shows as the refresh token.
  expect(tokens.scope).toBe('mail');
  const introspection = await server.introspect(tokens.accessToken);
  expect(introspection).toMatchObject({ active: true, email: LOGIN, scope: 'mail' });
}

describe(`the code flow in headless Chromium (${CHROMIUM_PATH})`, () => {
  beforeAll(async () => {
    [server, browser] = await Promise.all([startAuthorizationServer(), launchChromium()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), server?.close()]);
  });

  beforeEach(async () => {
    // Each run signs in afresh: no provider session from the previous one.
    await browser.context.clearCookies();
    page = browser.page;
  });

  it('shows the success page in the browser and returns access and refresh tokens (127.0.0.1)', async () => {
    const { listener, flow, provider } = await codeFlowInBrowser('http://127.0.0.1:0/callback', 'allow');
    const tokens = fulfilled(flow);
    expect(page.url()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${listener.port}/callback\\?code=`));
    expect(await page.textContent('h1')).toBe('Authorization complete');
    expect(await page.textContent('#message')).toContain('You can close this window');
    expect(await page.title()).toBe('Authorization complete');
    await expectUsableTokens(tokens);
    // The refresh token works at the token endpoint too.
    const refreshed = await refreshTokens(provider, tokens.refreshToken!);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(listener.listening).toBe(false);
  });

  it('receives the redirect on [::1] and returns tokens', async () => {
    const { listener, flow } = await codeFlowInBrowser('http://[::1]:0/callback', 'allow');
    await expectUsableTokens(fulfilled(flow));
    expect(new URL(page.url()).host).toBe(`[::1]:${listener.port}`);
    expect(await page.textContent('h1')).toBe('Authorization complete');
  });

  it('shows the failure page and rejects with OAUTH_AUTHORIZATION_DENIED when the user denies (localhost)', async () => {
    const exchangesBefore = server.countTokenRequests('authorization_code');
    const { listener, flow } = await codeFlowInBrowser('http://localhost:0/callback', 'deny');
    expect(flow).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ code: OAUTH_AUTHORIZATION_DENIED, error: 'access_denied' }),
    });
    expect(new URL(page.url()).host).toBe(`localhost:${listener.port}`);
    expect(await page.textContent('h1')).toBe('Authorization failed');
    expect(await page.textContent('#error')).toBe('access_denied');
    expect(await page.textContent('#error-description')).toBe('The user denied the request');
    expect(server.countTokenRequests('authorization_code')).toBe(exchangesBefore);
    expect(listener.listening).toBe(false);
  });
});
