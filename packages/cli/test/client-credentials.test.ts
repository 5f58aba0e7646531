import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

// App-only access: `authorize --flow client_credentials` with the test server's service client
// (a confidential client that may use only that grant), then `token` renews with the same grant.

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

const SECRET = clients.service.clientSecret;

/** `authorize <account> --flow client_credentials` with the service client; `extra` flags appended. */
async function authorizeApp(
  account: string,
  home: string,
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  return runCli(
    [
      'authorize',
      account,
      '--token-url',
      provider.server.endpoints.token,
      '--client-id',
      clients.service.clientId,
      '--flow',
      'client_credentials',
      '--scope',
      'mail',
      '--json',
      ...extra,
    ],
    { home, env },
  );
}

/** Waits until an access token whose `expires_at` is given has expired. */
async function untilExpired(expiresAt: string): Promise<void> {
  const left = Date.parse(expiresAt) - Date.now();
  if (left > -100) await sleep(left + 100);
}

describe('authorize --flow client_credentials', () => {
  it('gets an app-only token with no person and no browser, shows it, and stores the account', async () => {
    const home = await provider.newHome();
    const before = provider.server.countTokenRequests('client_credentials');
    const result = await authorizeApp('mailer', home, ['--client-secret', SECRET, '--save-client-secret'], {
      BROWSER: '/bin/false',
    });
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ account: 'mailer', preset: 'custom', refresh_token: null, scope: 'mail' });
    expect(provider.server.countTokenRequests('client_credentials')).toBe(before + 1);
    expect(await provider.server.introspect(shown.access_token as string)).toMatchObject({
      active: true,
      client_id: clients.service.clientId,
    });
    expect(result.stderr).toContain('(preset custom, client_credentials flow)');
    expect(result.stderr).toContain("gets a new access token with the client's credentials");
    expect(result.stderr).not.toContain('no refresh token was issued');
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stderr).not.toContain(shown.access_token as string);

    const show = await runCli(['show', 'mailer', '--json'], { home });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toContain(shown.access_token as string);
    expect(show.stdout).not.toContain(SECRET);
  });

  it('token gets a new token with the client credentials once the stored one expired: one request for 10 concurrent runs', async () => {
    const home = await provider.newHome();
    provider.server.setAccessTokenTtl(2);
    const authorized = await authorizeApp('mailer', home, [
      '--client-secret',
      SECRET,
      '--save-client-secret',
    ]);
    provider.server.setAccessTokenTtl(3600);
    expect(authorized.code, authorized.stderr).toBe(0);
    const first = JSON.parse(authorized.stdout) as { access_token: string; expires_at: string };
    await untilExpired(first.expires_at);

    const before = provider.server.countTokenRequests('client_credentials');
    const runs = await Promise.all(Array.from({ length: 10 }, () => runCli(['token', 'mailer'], { home })));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const tokens = new Set(runs.map((run) => run.stdout.trim()));
    expect(tokens.size).toBe(1);
    const [token] = tokens;
    expect(token).not.toBe(first.access_token);
    expect(provider.server.countTokenRequests('client_credentials')).toBe(before + 1);
    expect(provider.server.tokenRequests.at(-1)).toMatchObject({ grantType: 'client_credentials' });
    expect(await provider.server.introspect(token as string)).toMatchObject({
      active: true,
      client_id: clients.service.clientId,
    });

    const refreshed = await runCli(['refresh', 'mailer', '--json'], { home });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(provider.server.countTokenRequests('client_credentials')).toBe(before + 2);
    const again = await runCli(['token', 'mailer'], { home });
    expect(again.stdout.trim()).not.toBe(token);
    expect((await provider.server.introspect(again.stdout.trim())).active).toBe(true);
  });

  it('keeps an unsaved secret out of the account file; token then needs OAUTH_AUTHORIZER_CLIENT_SECRET (exit 2 without it)', async () => {
    const home = await provider.newHome();
    provider.server.setAccessTokenTtl(2);
    const authorized = await authorizeApp('mailer', home, [], { OAUTH_AUTHORIZER_CLIENT_SECRET: SECRET });
    provider.server.setAccessTokenTtl(3600);
    expect(authorized.code, authorized.stderr).toBe(0);
    expect(authorized.stderr).toContain('The client secret was not stored');
    const file = await readFile(join(home, 'accounts', 'mailer.json'), 'utf8');
    expect(file).not.toContain(SECRET);
    await untilExpired((JSON.parse(authorized.stdout) as { expires_at: string }).expires_at);

    const before = provider.server.countTokenRequests('client_credentials');
    const missing = await runCli(['token', 'mailer'], { home });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^oauth-authorizer: account "mailer" needs its client secret, and OAUTH_AUTHORIZER_CLIENT_SECRET is not set/,
    );
    expect(provider.server.countTokenRequests('client_credentials')).toBe(before);

    const given = await runCli(['token', 'mailer'], {
      home,
      env: { OAUTH_AUTHORIZER_CLIENT_SECRET: SECRET },
    });
    expect(given.code, given.stderr).toBe(0);
    expect((await provider.server.introspect(given.stdout.trim())).active).toBe(true);
  });

  it("exits 2 with the server's invalid_client for a wrong secret, never printing it, and stores nothing", async () => {
    const home = await provider.newHome();
    const wrong = 'not-the-service-secret-0123456789';
    const result = await authorizeApp('mailer', home, ['--client-secret', wrong]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr).not.toContain(wrong);
    const accounts = await runCli(['accounts', '--json'], { home });
    expect(JSON.parse(accounts.stdout)).toEqual([]);
  });

  it('exits 2 naming the secret when none is given, before any request', async () => {
    const home = await provider.newHome();
    const before = provider.server.countTokenRequests();
    const result = await authorizeApp('mailer', home);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/client.secret/i);
    expect(provider.server.countTokenRequests()).toBe(before);
  });
});
