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

async function authorize(
  home: string,
  account: string,
  presetFile = provider.presetFile,
): Promise<{ access_token: string; refresh_token: string }> {
  const result = await runCli(
    ['authorize', account, '--preset', presetFile, '--client-id', clients.native.clientId, '--json'],
    {
      home,
      env: { TEST_BROWSER_LOGIN: `${account}@example.test` },
    },
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { access_token: string; refresh_token: string };
}

/** Checks the error report: one `oauth-authorizer:` line and a hint line, and no stack trace. */
function expectErrorReport(stderr: string, message: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines.at(-2)).toContain(`oauth-authorizer: ${message}`);
  expect(lines.at(-1)).toMatch(/^hint: \S/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('exit codes, each reached by a real situation', () => {
  it('2 for a bad flag, naming it', async () => {
    const result = await runCli(['authorize', 'x', '--colour'], { home: await provider.newHome() });
    expect(result.code).toBe(2);
    expectErrorReport(result.stderr, 'authorize: unknown option --colour');
  });

  it('2 for an unknown command', async () => {
    const result = await runCli(['tokn', 'x'], { home: await provider.newHome() });
    expect(result.code).toBe(2);
    expectErrorReport(result.stderr, 'unknown command "tokn" (did you mean "token"?)');
  });

  it('2 for an unknown preset', async () => {
    const result = await runCli(['authorize', 'x', '--preset', 'no-such-provider', '--client-id', 'a'], {
      home: await provider.newHome(),
    });
    expect(result.code).toBe(2);
    expectErrorReport(result.stderr, 'unknown preset "no-such-provider"');
  });

  it('2 for a field the preset fixes, naming the preset', async () => {
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
    expectErrorReport(result.stderr, 'preset "test-server" fixes "tokenUrl"');
  });

  it('2 for missing values when stdin is not a terminal, naming the flags to give', async () => {
    const result = await runCli(['authorize', 'x', '--token-url', `${provider.server.issuer}/token`], {
      home: await provider.newHome(),
    });
    expect(result.code).toBe(2);
    expectErrorReport(
      result.stderr,
      'authorize: the custom preset needs --client-id, --auth-url (or --issuer)',
    );
    expect(result.stderr).toContain('stdin is not a terminal');
  });

  it('3 for an unknown account', async () => {
    const result = await runCli(['token', 'nobody@example.test'], { home: await provider.newHome() });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expectErrorReport(result.stderr, 'there is no account "nobody@example.test"');
  });

  it('3 for a refresh token the provider revoked, and again without asking the server once the account is marked', async () => {
    const home = await provider.newHome();
    const tokens = await authorize(home, 'kim');
    const response = await fetch(provider.server.endpoints.revocation, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: clients.native.clientId }),
    });
    expect(response.status).toBe(200);
    const refreshed = await runCli(['refresh', 'kim'], { home });
    expect(refreshed.code).toBe(3);
    expect(refreshed.stderr).toContain('invalid_grant');
    expect(refreshed.stderr).toContain('hint: run: oauth-authorizer authorize kim');
    expect(refreshed.stderr).not.toContain(tokens.refresh_token);
    const before = provider.server.countTokenRequests('refresh_token');
    const token = await runCli(['token', 'kim'], { home });
    expect(token.code).toBe(3);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before);
    expect(JSON.parse((await runCli(['show', 'kim', '--json'], { home })).stdout)).toMatchObject({
      status: 'authorization-required',
    });
  });

  it('4 when the provider is down, keeping the stored tokens', async () => {
    const down = await startTestProvider();
    const home = await down.newHome();
    const tokens = await authorize(home, 'liam', down.presetFile);
    await down.server.close();
    try {
      const refreshed = await runCli(['refresh', 'liam'], { home });
      expect(refreshed.code).toBe(4);
      expect(refreshed.stderr).toContain('oauth-authorizer: ');
      expect(refreshed.stderr).toMatch(/hint: \S/);
      // A network failure never discards tokens: the cached access token is still handed out.
      const token = await runCli(['token', 'liam'], { home });
      expect(token).toMatchObject({ code: 0, stdout: `${tokens.access_token}\n` });
      const device = await runCli(
        ['authorize', 'mia', '--preset', down.presetFile, '--client-id', 'a', '--flow', 'device'],
        {
          home,
        },
      );
      expect(device.code).toBe(4);
    } finally {
      await down.close().catch(() => undefined);
    }
  });

  it('5 when the user denies consent, keeping the provider error code', async () => {
    const home = await provider.newHome();
    const result = await runCli(
      ['authorize', 'nina', '--preset', provider.presetFile, '--client-id', clients.native.clientId],
      {
        home,
        env: { TEST_BROWSER_DENY: '1' },
      },
    );
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('oauth-authorizer: authorization failed with "access_denied"');
    expect((await runCli(['accounts', '--json'], { home })).stdout.trim()).toBe('[]');
  });

  it('5 when no redirect arrives before --timeout', async () => {
    const home = await provider.newHome();
    const result = await runCli(
      [
        'authorize',
        'olga',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--no-open',
        '--timeout',
        '1',
      ],
      { home },
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/oauth-authorizer: .*(redirect|1 s)/);
  });

  it('--debug adds the error code and the stack to the report', async () => {
    const result = await runCli(['token', 'nobody', '--debug'], { home: await provider.newHome() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('code: CLI_UNKNOWN_ACCOUNT');
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
