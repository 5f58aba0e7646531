import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, type StoredAccount, type TokenSet } from '@oauth-authorizer/core';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

const DAY = 86_400_000;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-status-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const runMain = (args: string[], home: string): Promise<CliResult> => runCli(args, { home });

let homes = 0;
/** A new home holding `records`, written by core's file store as the CLI writes them. */
async function homeWith(...records: StoredAccount[]): Promise<string> {
  const home = join(directory, `home-${++homes}`);
  const store = new FileTokenStore({ directory: join(home, 'accounts') });
  for (const record of records) await store.set(record);
  return home;
}

function settingsFor(presetId: string, tokenUrl: string): Record<string, unknown> {
  return {
    version: 1,
    preset: presetId,
    presetId,
    flow: 'code',
    clientSecret: 'none',
    provider: { clientId: 'client', tokenUrl },
  };
}

function tokens(obtainedAt: number, overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: 'access-token-0123456789',
    tokenType: 'Bearer',
    expiresAt: obtainedAt + 3_600_000,
    refreshToken: 'refresh-token-0123456789',
    refreshTokenObtainedAt: obtainedAt,
    obtainedAt,
    extra: {},
    ...overrides,
  };
}

interface StatusJson {
  account: string;
  preset: string | null;
  access_token_expires_at: string | null;
  refresh_token: {
    obtained_at: string | null;
    age_seconds: number | null;
    expires_at: string | null;
    expiry_certain: boolean | null;
    limit: string | null;
  } | null;
  last_refresh_at: string | null;
  last_error: {
    at: string;
    code: string;
    message: string;
    explanation: { code: string; explanation: string } | null;
  } | null;
  needs_authorization: { reason: string; detail: string; hint: string } | null;
  nears_limit: boolean;
}

async function statusJson(
  home: string,
  ...args: string[]
): Promise<{ code: number | null; rows: StatusJson[] }> {
  const result = await runMain(['status', ...args, '--json'], home);
  return { code: result.code, rows: JSON.parse(result.stdout) as StatusJson[] };
}

describe('status reads the store alone', () => {
  // An unreachable token endpoint: status must never call it, whatever the tokens' state.
  const deadEndpoint = 'http://127.0.0.1:9/token';

  it('a Microsoft account not refreshed for 91 days needs authorization (the 90-day inactivity limit): exit 3', async () => {
    const now = Date.now();
    const home = await homeWith(
      {
        account: 'old@contoso.example',
        tokens: tokens(now - 91 * DAY),
        settings: settingsFor('microsoft', deadEndpoint),
      },
      {
        account: 'fresh@contoso.example',
        tokens: tokens(now - 10 * DAY),
        settings: settingsFor('microsoft', deadEndpoint),
      },
    );
    const { code, rows } = await statusJson(home);
    expect(code).toBe(3);
    const old = rows.find((row) => row.account === 'old@contoso.example');
    const fresh = rows.find((row) => row.account === 'fresh@contoso.example');
    expect(old?.needs_authorization).toMatchObject({ reason: 'expired' });
    expect(old?.needs_authorization?.hint).toContain('oauth-authorizer authorize old@contoso.example');
    expect(old?.refresh_token?.limit).toContain('Microsoft: 90 days');
    expect(old?.refresh_token?.expiry_certain).toBe(true);
    expect(fresh?.needs_authorization).toBeNull();
    expect(Date.parse(fresh?.refresh_token?.expires_at ?? '')).toBe(now - 10 * DAY + 90 * DAY);
    // One listed account that is fine: exit 0.
    expect((await statusJson(home, 'fresh@contoso.example')).code).toBe(0);
  });

  it("a preset file for Microsoft's US Government cloud (errorsOf: microsoft) gets the 90-day inactivity limit too", async () => {
    const now = Date.now();
    const home = await homeWith({
      account: 'old@agency.example',
      tokens: tokens(now - 91 * DAY),
      settings: {
        ...settingsFor(
          'microsoft-us-gov',
          'https://login.microsoftonline.us/organizations/oauth2/v2.0/token',
        ),
        errorsOf: 'microsoft',
      },
    });
    const { code, rows } = await statusJson(home);
    expect(code).toBe(3);
    expect(rows[0]?.refresh_token?.limit).toContain('Microsoft: 90 days');
    expect(rows[0]?.needs_authorization).toMatchObject({ reason: 'expired' });
  });

  it('a Google account shows the 7-day "Testing" limit as possible, warns a day before, and is not marked by it', async () => {
    const now = Date.now();
    const home = await homeWith(
      {
        account: 'me@gmail.com',
        tokens: tokens(now - 6.5 * DAY, { expiresAt: now - 6.5 * DAY + 3_600_000 }),
        settings: settingsFor('google', 'https://oauth2.googleapis.com/token'),
      },
      {
        account: 'custom-google',
        tokens: tokens(now - 8 * DAY),
        settings: settingsFor('my-google', 'https://oauth2.googleapis.com/token'),
      },
    );
    const { code, rows } = await statusJson(home);
    expect(code).toBe(0);
    const [custom, gmail] = [
      rows.find((r) => r.account === 'custom-google'),
      rows.find((r) => r.account === 'me@gmail.com'),
    ];
    expect(gmail?.refresh_token?.expiry_certain).toBe(false);
    // Counted by the CLI process a moment after the test wrote the record.
    const age = gmail?.refresh_token?.age_seconds ?? 0;
    expect(age).toBeGreaterThanOrEqual(6.5 * 86_400);
    expect(age).toBeLessThan(6.5 * 86_400 + 60);
    expect(gmail?.refresh_token?.limit).toContain('Testing');
    expect(gmail?.nears_limit).toBe(true);
    expect(gmail?.needs_authorization).toBeNull();
    // A custom preset on Google's token endpoint gets the same limit.
    expect(custom?.refresh_token?.limit).toContain('Testing');
    expect(custom?.needs_authorization).toBeNull();

    const human = await runMain(['status', 'me@gmail.com'], home);
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^me@gmail\.com: preset google · access token expired .* ago · refresh token 7 days old \(limit Google: 7 days .*"Testing": then expires in 12 h\) · last refresh /,
    );
  });

  it('a refresh_token_expires_in from the provider is a certain limit: passed, it needs authorization', async () => {
    const now = Date.now();
    const home = await homeWith({
      account: 'lab',
      tokens: tokens(now - 2 * DAY, { refreshTokenExpiresAt: now - DAY }),
      settings: settingsFor('custom', deadEndpoint),
    });
    const { code, rows } = await statusJson(home);
    expect(code).toBe(3);
    expect(rows[0]?.needs_authorization?.reason).toBe('expired');
    expect(rows[0]?.refresh_token?.expiry_certain).toBe(true);
  });

  it('a rejected refresh shows the last error and "needs authorization"; no secret is printed', async () => {
    const now = Date.now();
    const home = await homeWith({
      account: 'gone',
      tokens: tokens(now - DAY),
      authorizationRequired: { since: now - 1000, reason: 'invalid_grant: grant request is invalid' },
      lastRefreshError: {
        at: now - 1000,
        code: 'OAUTH_RESPONSE_ERROR',
        message: 'token endpoint: invalid_grant',
      },
      settings: settingsFor('custom', deadEndpoint),
    });
    const human = await runMain(['status'], home);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('last error: token endpoint: invalid_grant [OAUTH_RESPONSE_ERROR]');
    expect(human.stdout).toContain(
      'needs authorization: invalid_grant: grant request is invalid; run: oauth-authorizer authorize gone',
    );
    expect(human.stdout + human.stderr).not.toContain('refresh-token-0123456789');
    expect(human.stdout + human.stderr).not.toContain('access-token-0123456789');
  });

  it("explains the last error from the provider's table: Google's 7-day refresh token of an app in Testing", async () => {
    const now = Date.now();
    const home = await homeWith({
      account: 'tester@gmail.com',
      tokens: tokens(now - 7 * DAY),
      authorizationRequired: {
        since: now - 1000,
        reason: 'invalid_grant: Token has been expired or revoked.',
      },
      lastRefreshError: {
        at: now - 1000,
        code: 'OAUTH_AUTHORIZATION_REQUIRED',
        message:
          'account "tester@gmail.com" was rejected by the provider ("invalid_grant: Token has been expired or revoked.")',
      },
      settings: settingsFor('google', deadEndpoint),
    });
    const human = await runMain(['status'], home);
    expect(human.stdout).toMatch(/last error: .*\[OAUTH_AUTHORIZATION_REQUIRED\] \(.*"Testing"/);
    const { rows } = await statusJson(home);
    expect(rows[0]?.last_error?.explanation?.code).toBe('invalid_grant (7-day refresh token)');
  });

  it("explains the last error from the table the account's errorsOf names (a preset file for Microsoft's US Government cloud)", async () => {
    const now = Date.now();
    /** The same account and last error, with these extra settings. */
    const usGovHome = (extra: { errorsOf?: string }) =>
      homeWith({
        account: 'ops@contoso.us',
        tokens: tokens(now - 2 * DAY),
        lastRefreshError: {
          at: now - 1000,
          code: 'OAUTH_RESPONSE_ERROR',
          message:
            'token endpoint: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.',
        },
        settings: { ...settingsFor('microsoft-us-gov', deadEndpoint), ...extra },
      });
    const { rows } = await statusJson(await usGovHome({ errorsOf: 'microsoft' }));
    expect(rows[0]?.preset).toBe('microsoft-us-gov');
    expect(rows[0]?.last_error?.explanation?.code).toBe('AADSTS700082');
    // Without errorsOf the preset's own id has no table: the explanation is the common one.
    const plain = await usGovHome({});
    expect((await statusJson(plain)).rows[0]?.last_error?.explanation?.code).toBe('invalid_grant');
  });

  it('an expired access token with a refresh token is fine, no network is used and the record is untouched', async () => {
    const now = Date.now();
    const home = await homeWith({
      account: 'quiet',
      tokens: tokens(now - 2 * 3_600_000),
      settings: settingsFor('custom', deadEndpoint),
    });
    const file = new FileTokenStore({ directory: join(home, 'accounts') }).pathOf('quiet');
    const before = await readFile(file, 'utf8');
    const { code, rows } = await statusJson(home);
    expect(code).toBe(0);
    expect(rows[0]).toMatchObject({
      account: 'quiet',
      needs_authorization: null,
      last_error: null,
      preset: 'custom',
    });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('an unknown account is exit 3; no accounts is exit 0', async () => {
    const home = await homeWith();
    const unknown = await runMain(['status', 'nobody'], home);
    expect(unknown.code, unknown.stderr).toBe(3);
    expect(unknown.stderr).toContain('there is no account "nobody"');
    const empty = await runMain(['status'], home);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('No accounts yet');
  });
});

describe('status after a real revocation at oidc-provider', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('shows the account fine, then "needs authorization" with exit 3 once a refresh was rejected', async () => {
    const home = await provider.newHome();
    const account = 'rita@example.test';
    const authorized = await runCli(
      [
        'authorize',
        account,
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--json',
      ],
      { home, env: { TEST_BROWSER_LOGIN: account } },
    );
    expect(authorized.code, authorized.stderr).toBe(0);
    expect((await runMain(['status'], home)).code).toBe(0);
    const { refresh_token } = JSON.parse(authorized.stdout) as { refresh_token: string };
    const revoked = await fetch(provider.server.endpoints.revocation, {
      method: 'POST',
      body: new URLSearchParams({
        token: refresh_token,
        token_type_hint: 'refresh_token',
        client_id: clients.native.clientId,
      }),
    });
    expect(revoked.status).toBe(200);
    const refresh = await runCli(['refresh', account], { home });
    expect(refresh.code).toBe(3);
    const status = await runMain(['status', '--json'], home);
    expect(status.code).toBe(3);
    const [row] = JSON.parse(status.stdout) as StatusJson[];
    expect(row?.needs_authorization?.reason).toBe('rejected');
    expect(row?.needs_authorization?.detail).toContain('invalid_grant');
    expect(row?.last_error?.code).toBeTruthy();
    expect(status.stdout).not.toContain(refresh_token);
  });
});
