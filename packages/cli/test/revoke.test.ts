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

describe('revoke and remove', () => {
  it('revoke makes both tokens inactive at the provider and forgets them, keeping the settings for a new authorization', async () => {
    const home = await provider.newHome();
    const account = 'heidi@example.test';
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
    const tokens = JSON.parse(authorized.stdout) as { access_token: string; refresh_token: string };
    expect((await provider.server.introspect(tokens.access_token)).active).toBe(true);

    const revoked = await runCli(['revoke', account], { home });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain(`Revoked the tokens of ${account}`);
    expect((await provider.server.introspect(tokens.access_token)).active).toBe(false);
    expect((await provider.server.introspect(tokens.refresh_token)).active).toBe(false);

    const token = await runCli(['token', account], { home });
    expect(token.code).toBe(3);
    expect(token.stdout).toBe('');
    expect(token.stderr).toContain(`account "${account}" has no tokens`);
    const shown = JSON.parse((await runCli(['show', account, '--json'], { home })).stdout) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({ status: 'not-authorized', tokens: null });

    // The settings stayed: the account name alone authorizes it again.
    const again = await runCli(['authorize', account], { home, env: { TEST_BROWSER_LOGIN: account } });
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(['token', account], { home })).code).toBe(0);
  });

  it('revoke --json reports what was revoked', async () => {
    const home = await provider.newHome();
    await runCli(
      ['authorize', 'ivan', '--preset', provider.presetFile, '--client-id', clients.native.clientId],
      { home },
    );
    const result = await runCli(['revoke', 'ivan', '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      account: 'ivan',
      revoked: ['refresh_token', 'access_token'],
      forgotten: true,
    });
  });

  it('remove deletes the account; a removed account is unknown (exit code 3)', async () => {
    const home = await provider.newHome();
    await runCli(
      ['authorize', 'judy', '--preset', provider.presetFile, '--client-id', clients.native.clientId],
      { home },
    );
    const removed = await runCli(['remove', 'judy'], { home });
    expect(removed.code, removed.stderr).toBe(0);
    expect((await runCli(['accounts', '--json'], { home })).stdout.trim()).toBe('[]');
    const again = await runCli(['remove', 'judy'], { home });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('there is no account "judy"');
  });
});
