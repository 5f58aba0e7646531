import { setTimeout as sleep } from 'node:timers/promises';
import { clients, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

// Issue 15: each error a person meets ends with a hint line that says what to do.

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

/** An error report of one `oauth-authorizer:` line and one hint line that names `command`. */
function expectOneReport(stderr: string, command: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^oauth-authorizer: /);
  expect(lines[1]).toMatch(/^hint: /);
  expect(lines[1]).toContain(command);
}

/** The `hint:` lines of a report. */
function hints(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('hint: '));
}

describe('hint lines', () => {
  it('access_denied: you or an admin declined; run authorize again', async () => {
    const result = await runCli(
      ['authorize', 'nina', '--preset', provider.presetFile, '--client-id', clients.native.clientId],
      { home: await provider.newHome(), env: { TEST_BROWSER_DENY: '1' } },
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('access_denied');
    expect(hints(result.stderr)).toEqual([
      'hint: you or an admin declined the access; run authorize again and allow it',
    ]);
  });

  it('invalid_client: check the client ID, its type and the tenant', async () => {
    const result = await runCli(
      [
        'authorize',
        'mailer',
        '--token-url',
        provider.server.endpoints.token,
        '--client-id',
        clients.service.clientId,
        '--flow',
        'client_credentials',
        '--scope',
        'mail',
      ],
      { home: await provider.newHome(), env: { OAUTH_AUTHORIZER_CLIENT_SECRET: 'not-the-secret' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid_client');
    const [hint] = hints(result.stderr);
    expect(hint).toMatch(/check the client ID, its type .* and the tenant/);
  });

  it('remove of an unknown account: nothing to remove, and no "authorize it first"', async () => {
    const result = await runCli(['remove', 'nobody'], { home: await provider.newHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'oauth-authorizer: there is no account "nobody": not authorized, so nothing to remove',
    );
    expect(result.stderr).not.toContain('authorize it first');
  });

  it('--scope-set with an unknown name lists the names', async () => {
    const result = await runCli(
      [
        'authorize',
        'me',
        '--preset',
        'google',
        '--client-id',
        'a',
        '--client-secret',
        'b',
        '--scope-set',
        'calendar',
      ],
      { home: await provider.newHome() },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'authorize: --scope-set "calendar" is not a scope set of preset "google"; its scope sets are default, imap, smtp, pop3, all',
    );
    expect(result.stderr).not.toContain('"scopeSet"');
  });

  it('--client-secret on the command line: one warning line pointing to the variable and the hidden prompt', async () => {
    const result = await runCli(
      [
        'authorize',
        'mailer',
        '--token-url',
        provider.server.endpoints.token,
        '--client-id',
        clients.service.clientId,
        '--client-secret',
        clients.service.clientSecret,
        '--flow',
        'client_credentials',
        '--scope',
        'mail',
      ],
      { home: await provider.newHome() },
    );
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('--client-secret');
    expect(warnings[0]).toContain('OAUTH_AUTHORIZER_CLIENT_SECRET');
    expect(warnings[0]).toContain('hidden');
    expect(result.stderr).not.toContain(clients.service.clientSecret);
    // Given the other way, no warning.
    const quiet = await runCli(
      [
        'authorize',
        'mailer',
        '--token-url',
        provider.server.endpoints.token,
        '--client-id',
        clients.service.clientId,
        '--flow',
        'client_credentials',
        '--scope',
        'mail',
      ],
      {
        home: await provider.newHome(),
        env: { OAUTH_AUTHORIZER_CLIENT_SECRET: clients.service.clientSecret },
      },
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('warning: --client-secret');
  });

  it('token on an account whose refresh token was revoked: stdout empty, exit 3, one line saying what to run', async () => {
    const home = await provider.newHome();
    provider.server.setAccessTokenTtl(2);
    const authorized = await runCli(
      ['authorize', 'kim', '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
      { home, env: { TEST_BROWSER_LOGIN: 'kim@example.test' } },
    );
    provider.server.setAccessTokenTtl(3600);
    expect(authorized.code, authorized.stderr).toBe(0);
    const tokens = JSON.parse(authorized.stdout) as { refresh_token: string; expires_at: string };
    await sleep(Math.max(0, Date.parse(tokens.expires_at) - Date.now() + 100));
    await fetch(provider.server.endpoints.revocation, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: clients.native.clientId }),
    });
    // The first run is refused by the provider; the second finds the account marked and asks no server.
    for (const run of [1, 2]) {
      const result = await runCli(['token', 'kim'], { home });
      expect(result.stderr, `run ${run}`).not.toContain('warning');
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expectOneReport(result.stderr, 'oauth-authorizer authorize kim');
    }
  });

  it('token when the token endpoint fails: stdout empty, exit 4, and the hint names the command to retry with', async () => {
    let requests = 0;
    const server = await startHostileTokenEndpoint(() =>
      ++requests === 1
        ? { body: { access_token: 'first-access-token', token_type: 'Bearer', expires_in: 1 } }
        : { status: 503, body: { error: 'temporarily_unavailable' } },
    );
    try {
      const home = await provider.newHome();
      const authorized = await runCli(
        [
          'authorize',
          'app',
          '--token-url',
          `${server.url}/token`,
          '--client-id',
          'app',
          '--flow',
          'client_credentials',
          '--scope',
          'mail',
        ],
        { home, env: { OAUTH_AUTHORIZER_CLIENT_SECRET: 'app-secret-value' } },
      );
      expect(authorized.code, authorized.stderr).toBe(0);
      await sleep(1100);
      const result = await runCli(['token', 'app'], {
        home,
        env: { OAUTH_AUTHORIZER_CLIENT_SECRET: 'app-secret-value' },
      });
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      expectOneReport(result.stderr, 'oauth-authorizer refresh app');
    } finally {
      await server.close();
    }
  });

  it('a field the preset fixes: the hint names the flag to leave out, not the field', async () => {
    const result = await runCli(
      [
        'authorize',
        'x',
        '--preset',
        provider.presetFile,
        '--client-id',
        'a',
        '--token-url',
        'https://elsewhere.example/token',
      ],
      { home: await provider.newHome() },
    );
    expect(result.code).toBe(2);
    expect(hints(result.stderr)).toEqual([
      'hint: leave out --token-url, or use --preset custom to give every setting yourself',
    ]);
  });

  it("Google's desktop client secret, given without a terminal, is stored by default and the reason is said", async () => {
    const result = await runCli(
      [
        'authorize',
        'me@gmail.com',
        '--preset',
        'google',
        '--client-id',
        '1234-abc.apps.googleusercontent.com',
        '--no-open',
        '--timeout',
        '1',
      ],
      { home: await provider.newHome(), env: { OAUTH_AUTHORIZER_CLIENT_SECRET: undefined }, input: '' },
    );
    // No secret: the preset requires one, and says so in flag names.
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client-secret (or OAUTH_AUTHORIZER_CLIENT_SECRET)');
    const stored = await runCli(
      [
        'authorize',
        'me@gmail.com',
        '--preset',
        'google',
        '--client-id',
        '1234-abc.apps.googleusercontent.com',
        '--client-secret',
        'GOCSPX-not-really-secret',
        '--no-open',
        '--timeout',
        '1',
      ],
      { home: await provider.newHome() },
    );
    // The sign-in itself times out here (no Google in tests); the decision is made and said before it.
    expect(stored.code).toBe(5);
    expect(stored.stderr).toContain(
      'The client secret is stored: Google (Gmail) gives desktop apps a client secret that is not confidential, and every refresh needs it',
    );
    expect(stored.stderr).not.toContain('GOCSPX-not-really-secret');
  });
});
