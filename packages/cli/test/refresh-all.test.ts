import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore } from '@oauth-authorizer/core';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

const DAY = 86_400_000;
const README = fileURLToPath(new URL('../README.md', import.meta.url));
let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

/** The command the README's systemd unit runs, and the one its cron line runs. */
async function documentedCommands(): Promise<{ execStart: string[]; cron: string[] }> {
  const readme = await readFile(README, 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(readme)?.[1];
  const cron = /^17 4 \* \* 1 (.+)$/m.exec(readme)?.[1];
  if (!execStart || !cron) throw new Error('the README has no ExecStart= or cron line');
  return { execStart: execStart.trim().split(/\s+/), cron: cron.trim().split(/\s+/) };
}

async function authorize(
  home: string,
  account: string,
): Promise<{ refresh_token: string; access_token: string }> {
  const result = await runCli(
    ['authorize', account, '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOGIN: account } },
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { refresh_token: string; access_token: string };
}

/** Makes the stored tokens look obtained `days` ago, as if the refresh token had not been used since. */
async function age(home: string, account: string, days: number): Promise<void> {
  const store = new FileTokenStore({ directory: join(home, 'accounts') });
  const record = await store.get(account);
  if (!record?.tokens) throw new Error(`no tokens for ${account}`);
  const at = Date.now() - days * DAY;
  await store.set({
    ...record,
    tokens: { ...record.tokens, obtainedAt: at, refreshTokenObtainedAt: at, expiresAt: at + 3_600_000 },
  });
}

async function revoke(refreshToken: string): Promise<void> {
  const response = await fetch(provider.server.endpoints.revocation, {
    method: 'POST',
    body: new URLSearchParams({ token: refreshToken, client_id: clients.native.clientId }),
  });
  expect(response.status).toBe(200);
}

describe('refresh --all keeps refresh tokens alive', () => {
  it("the README's ExecStart command refreshes the idle account, skips the fresh one, reports the revoked one, and exits 3", async () => {
    const { execStart, cron } = await documentedCommands();
    expect(cron).toEqual(execStart);
    expect(execStart[0]).toBe('oauth-authorizer');
    const home = await provider.newHome();
    const idle = await authorize(home, 'idle@example.test');
    await authorize(home, 'busy@example.test');
    const gone = await authorize(home, 'gone@example.test');
    await age(home, 'idle@example.test', 40);
    await age(home, 'gone@example.test', 40);
    await revoke(gone.refresh_token);
    const before = provider.server.countTokenRequests('refresh_token');

    // The exact command of the unit, with the built CLI as `oauth-authorizer`.
    const result = await runCli(execStart.slice(1), { home });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Refreshed idle@example\.test: the access token expires /m);
    expect(result.stderr).toMatch(/^Skipped busy@example\.test: refreshed \d+ s ago$/m);
    expect(result.stderr).toMatch(/^Failed gone@example\.test \(exit code 3\): .*invalid_grant/m);
    expect(result.stderr).toContain('hint: run: oauth-authorizer authorize gone@example.test');
    // Two real refreshes: the idle account's and the revoked one's attempt; none for the busy one.
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 2);
    for (const secret of [idle.refresh_token, idle.access_token, gone.refresh_token])
      expect(result.stderr).not.toContain(secret);

    const shown = JSON.parse(
      (await runCli(['show', 'idle@example.test', '--json', '--reveal'], { home })).stdout,
    ) as {
      tokens: { access_token: string; refresh_token: string; obtained_at: string };
    };
    expect(shown.tokens.refresh_token).not.toBe(idle.refresh_token);
    expect(Date.now() - Date.parse(shown.tokens.obtained_at)).toBeLessThan(60_000);
    expect(await provider.server.introspect(shown.tokens.access_token)).toMatchObject({ active: true });

    // Run again: everything was refreshed or marked now; nothing is sent for the marked account.
    const again = await runCli([...execStart.slice(1), '--json'], { home });
    expect(again.code).toBe(3);
    const rows = JSON.parse(again.stdout) as { account: string; result: string; exit_code: number }[];
    expect(rows.map((row) => [row.account, row.result, row.exit_code]).sort()).toEqual([
      ['busy@example.test', 'skipped', 0],
      ['gone@example.test', 'failed', 3],
      ['idle@example.test', 'skipped', 0],
    ]);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 2);
  });

  it('without --older-than every account is refreshed; an unreachable provider makes it exit 4, a rejection outranks that', async () => {
    const home = await provider.newHome();
    await authorize(home, 'one@example.test');
    await authorize(home, 'two@example.test');
    const before = provider.server.countTokenRequests('refresh_token');
    const all = await runCli(['refresh', '--all', '--json'], { home });
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as { result: string }[]).map((row) => row.result)).toEqual([
      'refreshed',
      'refreshed',
    ]);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 2);

    // A provider that cannot be reached: a transient failure, the tokens kept.
    const store = new FileTokenStore({ directory: join(home, 'accounts') });
    const record = await store.get('two@example.test');
    const settings = record?.settings as { provider: Record<string, unknown> };
    await store.set({
      ...(record as NonNullable<typeof record>),
      settings: { ...settings, provider: { ...settings.provider, tokenUrl: 'http://127.0.0.1:9/token' } },
    });
    const down = await runCli(['refresh', '--all'], { home, timeout: 60_000 });
    expect(down.code, down.stderr).toBe(4);
    expect(down.stderr).toMatch(/^Refreshed one@example\.test/m);
    expect(down.stderr).toMatch(/^Failed two@example\.test \(exit code 4\)/m);
    expect((await store.get('two@example.test'))?.tokens?.refreshToken).toBe(record?.tokens?.refreshToken);

    const refreshToken = (await store.get('one@example.test'))?.tokens?.refreshToken as string;
    await revoke(refreshToken);
    const both = await runCli(['refresh', '--all'], { home, timeout: 60_000 });
    expect(both.code).toBe(3);
  }, 120_000);

  it('--older-than takes only a duration, and only with --all', async () => {
    const home = await provider.newHome();
    const bad = await runCli(['refresh', '--all', '--older-than', 'a month'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'refresh: --older-than must be a duration such as 30d, 12h, 90m or 1w, got "a month"',
    );
    expect((await runCli(['refresh', 'me', '--older-than', '30d'], { home })).code).toBe(2);
    expect((await runCli(['refresh', 'me', '--all'], { home })).code).toBe(2);
    const none = await runCli(['refresh', '--all', '--older-than', '1w2d'], { home });
    expect(none.code).toBe(0);
    expect(none.stderr).toBe('No accounts to refresh.\n');
  });
});
