import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '@oauth-authorizer/core';
import { type HostileTokenEndpoint, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

const DAY = 24 * 60 * 60 * 1000;

let directory: string;
let google: HostileTokenEndpoint;
let microsoft: HostileTokenEndpoint;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-hint-'));
  // Google's answer to a refresh token it no longer accepts, and Microsoft's to one unused for 90 days.
  google = await startHostileTokenEndpoint(() => ({
    status: 400,
    body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
  }));
  microsoft = await startHostileTokenEndpoint(() => ({
    status: 400,
    body: {
      error: 'invalid_grant',
      error_description:
        'AADSTS700082: The refresh token has expired due to inactivity. Trace ID: 1 Correlation ID: 2',
      error_codes: [700082],
    },
  }));
});

afterAll(async () => {
  await google?.close();
  await microsoft?.close();
  await rm(directory, { recursive: true, force: true });
});

/** A home with one account of `presetId` whose access token has expired and whose refresh token is `ageDays` old. */
async function homeWithAccount(
  account: string,
  presetId: string,
  tokenUrl: string,
  ageDays: number,
): Promise<string> {
  const home = await mkdtemp(join(directory, 'home-'));
  const now = Date.now();
  await new FileTokenStore({ directory: join(home, 'accounts') }).set({
    account,
    tokens: {
      accessToken: 'expired-access-token',
      tokenType: 'Bearer',
      expiresAt: now - 60_000,
      refreshToken: 'old-refresh-token',
      refreshTokenObtainedAt: now - ageDays * DAY,
      obtainedAt: now - ageDays * DAY,
      extra: {},
    },
    settings: {
      version: 1,
      preset: presetId,
      presetId,
      flow: 'code',
      clientId: 'client',
      clientSecret: 'none',
      provider: { tokenUrl: `${tokenUrl}/token`, clientId: 'client', scopes: ['mail'] },
    },
  });
  return home;
}

describe('the hint line explains the provider error', () => {
  it("a Google refresh token refused after 7 days: the hint names the 'Testing' publishing status", async () => {
    const home = await homeWithAccount('me@gmail.com', 'google', google.url, 7);
    const result = await runCli(['token', 'me@gmail.com'], { home });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /^hint: invalid_grant \(7-day refresh token\): .*"Testing".*In production/m,
    );
    expect(result.stderr).toContain(
      '(see https://developers.google.com/identity/protocols/oauth2#expiration)',
    );
    expect(result.stderr).not.toContain('old-refresh-token');
  });

  it('the same error on a month-old refresh token gets the general explanation', async () => {
    const home = await homeWithAccount('old@gmail.com', 'google', google.url, 30);
    const result = await runCli(['refresh', 'old@gmail.com'], { home });
    expect(result.stderr).toMatch(/^hint: invalid_grant: Google no longer accepts the refresh token/m);
    expect(result.stderr).not.toContain('"Testing"');
  });

  it('Microsoft AADSTS700082 is explained as 90 days of inactivity', async () => {
    const home = await homeWithAccount('me@contoso.com', 'microsoft', microsoft.url, 120);
    const result = await runCli(['refresh', 'me@contoso.com'], { home });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /^hint: AADSTS700082: The refresh token expired because it was not used for 90 days\./m,
    );
    expect(result.stderr).toContain('learn.microsoft.com');
  });

  it('an error that is not a provider code keeps only the usual hint', async () => {
    const result = await runCli(['token', 'nobody@gmail.com'], {
      home: await mkdtemp(join(directory, 'home-')),
    });
    expect(result.stderr.match(/^hint:/gm)).toHaveLength(1);
  });
});
