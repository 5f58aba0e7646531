import { setTimeout as sleep } from 'node:timers/promises';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

/** Authorizes `account` in a new home while the server issues access tokens for `ttl` seconds. */
async function authorizeShortLived(
  account: string,
  ttl: number,
): Promise<{ home: string; tokens: Record<string, string> }> {
  const home = await provider.newHome();
  provider.server.setAccessTokenTtl(ttl);
  const result = await runCli(
    ['authorize', account, '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOGIN: account } },
  );
  expect(result.code, result.stderr).toBe(0);
  return { home, tokens: JSON.parse(result.stdout) as Record<string, string> };
}

/** Waits until the access token of an authorize result has expired. */
async function untilExpired(tokens: Record<string, string>): Promise<void> {
  const left = Date.parse(tokens.expires_at as string) - Date.now();
  if (left > -100) await sleep(left + 100);
}

describe('token refreshes an expired access token', () => {
  it('prints a new, active token after the old one expired, having refreshed once and stored the rotated refresh token', async () => {
    const { home, tokens } = await authorizeShortLived('erin@example.test', 2);
    provider.server.setAccessTokenTtl(3600);
    await untilExpired(tokens);
    const before = provider.server.countTokenRequests('refresh_token');
    const result = await runCli(['token', 'erin@example.test'], { home });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).not.toBe(tokens.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 1);
    expect(await provider.server.introspect(token)).toMatchObject({
      active: true,
      email: 'erin@example.test',
    });

    const shown = JSON.parse(
      (await runCli(['show', 'erin@example.test', '--json', '--reveal'], { home })).stdout,
    ) as {
      tokens: { access_token: string; refresh_token: string };
    };
    expect(shown.tokens.access_token).toBe(token);
    // The server rotates refresh tokens: the stored one must be the new one, or the next refresh fails.
    expect(shown.tokens.refresh_token).not.toBe(tokens.refresh_token);
    const again = await runCli(['refresh', 'erin@example.test', '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ account: 'erin@example.test', token_type: 'Bearer' });
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 2);
  });

  it('10 concurrent token runs after expiry cause exactly one refresh and all print the same new token', async () => {
    const { home, tokens } = await authorizeShortLived('frank@example.test', 2);
    // The refreshed token must outlive the runs, or a slow last run would rightly refresh again.
    provider.server.setAccessTokenTtl(3600);
    await untilExpired(tokens);
    const before = provider.server.countTokenRequests('refresh_token');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runCli(['token', 'frank@example.test'], { home, timeout: 60_000 })),
    );
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const printed = new Set(results.map((result) => result.stdout));
    expect(printed.size).toBe(1);
    expect([...printed][0]?.trim()).not.toBe(tokens.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 1);
  }, 90_000);

  it('--min-validity keeps a token that is valid for long enough and refreshes one that is not', async () => {
    const { home, tokens } = await authorizeShortLived('grace@example.test', 6);
    provider.server.setAccessTokenTtl(3600);
    const before = provider.server.countTokenRequests('refresh_token');
    const cached = await runCli(['token', 'grace@example.test', '--min-validity', '1'], { home });
    expect(cached.stdout.trim()).toBe(tokens.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before);
    // Less than 3 s left: more than 3 s asked for (the margin is capped at half of the 6 s lifetime).
    await sleep(Math.max(0, Date.parse(tokens.expires_at as string) - 2_900 - Date.now()));
    const refreshed = await runCli(['token', 'grace@example.test', '--min-validity=3'], { home });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout.trim()).not.toBe(tokens.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 1);
  });

  it('a malformed --min-validity is a usage error', async () => {
    const home = await provider.newHome();
    const result = await runCli(['token', 'anyone', '--min-validity', 'soon'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'oauth-authorizer: token: --min-validity must be a whole number of seconds, got "soon"',
    );
  });
});
