import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;

beforeAll(async () => {
  // The server announces a 1 s polling interval, so the flow ends a second after the approval.
  provider = await startTestProvider({ deviceInterval: 1 });
});

afterAll(async () => {
  await provider?.close();
});

describe('authorize with the device code flow', () => {
  it('shows the verification URL and user code, opens the complete URL with $BROWSER, and stores the approved tokens', async () => {
    const home = await provider.newHome();
    const account = 'carol@example.test';
    const result = await runCli(
      [
        'authorize',
        account,
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--flow',
        'device',
        '--json',
      ],
      { home, env: { TEST_BROWSER_LOGIN: account } },
    );
    expect(result.code).toBe(0);
    const userCode = /and enter the code +(\S+)/.exec(result.stderr)?.[1];
    expect(userCode).toMatch(/^[A-Z-]{4,}$/);
    expect(result.stderr).toContain(`${provider.server.issuer}/device`);
    expect(result.stderr).toMatch(
      /or open, with the code filled in: http:\/\/127\.0\.0\.1:\d+\/device\?user_code=/,
    );
    // Not a terminal: no QR code and no countdown, one line about the expiry instead.
    expect(result.stderr).toMatch(/Waiting for the approval; the code expires in \d+ minutes?\./);
    expect(result.stderr).not.toContain('\u2584');
    const json = JSON.parse(result.stdout) as Record<string, string>;
    expect(json).toMatchObject({ account, preset: 'test-server', token_type: 'Bearer' });
    expect(json.refresh_token).toEqual(expect.any(String));
    expect(await provider.server.introspect(json.access_token as string)).toMatchObject({
      active: true,
      email: account,
    });
    expect(
      provider.server.countTokenRequests('urn:ietf:params:oauth:grant-type:device_code'),
    ).toBeGreaterThanOrEqual(1);

    const token = await runCli(['token', account], { home });
    expect(token).toEqual({ code: 0, stdout: `${json.access_token}\n`, stderr: '' });
    const shown = await runCli(['show', account, '--json'], { home });
    expect((JSON.parse(shown.stdout) as { settings: { flow: string } }).settings.flow).toBe('device');
  });

  it('--no-open prints the code and the URL without starting a browser, and ends with exit code 5 when the code expires', async () => {
    const expiring = await startTestProvider({ deviceInterval: 1, deviceCodeTtl: 2 });
    try {
      const home = await expiring.newHome();
      const result = await runCli(
        [
          'authorize',
          'dave',
          '--preset',
          expiring.presetFile,
          '--client-id',
          clients.native.clientId,
          '--flow',
          'device',
          '--no-open',
        ],
        { home },
      );
      expect(result.stderr).toMatch(/and enter the code +\S+/);
      expect(result.stderr).not.toContain('Opened the verification page');
      expect(result.stderr).toContain('oauth-authorizer: the device code expired');
      expect(result.code).toBe(5);
      expect(result.stdout).toBe('');
    } finally {
      await expiring.close();
    }
  });
});
