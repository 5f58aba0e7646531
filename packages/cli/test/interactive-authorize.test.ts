import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, TEST_BROWSER } from './cli-process.js';
import { startInTerminal } from './pseudo-terminal.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider({ deviceInterval: 1 });
});

afterAll(async () => {
  await provider?.close();
});

function terminalEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'OAUTH_AUTHORIZER_CLIENT_SECRET') env[key] = value;
  }
  return {
    ...env,
    OAUTH_AUTHORIZER_HOME: home,
    NO_COLOR: '1',
    TERM: 'xterm',
    BROWSER: TEST_BROWSER,
    ...extra,
  };
}

describe('interactive authorize in a terminal', () => {
  it('asks for the preset, client ID, hidden secret, scopes and flow, then authorizes and stores the secret when told to', async () => {
    const home = await provider.newHome();
    const out = join(home, '..', 'interactive.json');
    const secret = clients.basic.clientSecret;
    const session = startInTerminal(
      ['sh', '-c', `exec "${process.execPath}" "${BIN}" authorize rosa@example.test --json > "${out}"`],
      terminalEnv(home, { TEST_BROWSER_LOGIN: 'rosa@example.test' }),
    );
    try {
      await session.waitFor(/Preset \(a number, an id, a preset package or a file\) \[custom\]: $/);
      expect(session.transcript()).toMatch(/1\) google +Google/);
      session.type(`${provider.presetFile}\r`);
      await session.waitFor(/Client ID: $/);
      // What the preset fixes is shown, not asked.
      expect(session.transcript()).toContain(`Token exchange URL: ${provider.server.endpoints.token}`);
      session.type(`${clients.basic.clientId}\r`);
      await session.waitFor(/Client secret \(empty for a public client\) \(hidden\): $/);
      session.type(`${secret}\r`);
      await session.waitFor(/Scopes, separated by spaces \[openid offline_access email mail\]: $/);
      session.type('\r');
      await session.waitFor(/Choose 1-2 or a name \[code\]: $/);
      expect(session.transcript()).toMatch(/1\) code +authorization code/);
      session.type('1\r');
      await session.waitFor(
        /Store the client secret in the account file \(readable only by you\)\? \(y\/n\) \[n\]: $/,
      );
      session.type('y\r');
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    // The hidden answer was never echoed.
    expect(session.transcript()).not.toContain(secret);
    expect(session.transcript()).toContain('Authorized rosa@example.test (preset test-server, code flow)');

    const tokens = JSON.parse(await readFile(out, 'utf8')) as { access_token: string; preset: string };
    expect(tokens.preset).toBe('test-server');
    expect(await provider.server.introspect(tokens.access_token)).toMatchObject({
      active: true,
      client_id: clients.basic.clientId,
    });
    const file = join(home, 'accounts', 'rosa@example.test.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const record = JSON.parse(await readFile(file, 'utf8')) as { settings: Record<string, unknown> };
    expect(record.settings).toMatchObject({
      clientId: clients.basic.clientId,
      clientSecret: 'stored',
      clientSecretValue: secret,
    });
    // The stored secret authenticates the refresh without any environment variable.
    const refreshed = await runCli(['refresh', 'rosa@example.test'], { home });
    expect(refreshed.code, refreshed.stderr).toBe(0);
  });

  it('shows the device code with a QR code and a countdown on a terminal', async () => {
    const home = await provider.newHome();
    const session = startInTerminal(
      [
        process.execPath,
        BIN,
        'authorize',
        'sam@example.test',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--flow',
        'device',
      ],
      terminalEnv(home, { TEST_BROWSER_LOGIN: 'sam@example.test' }),
    );
    try {
      await session.waitFor(/Waiting for the approval… \d+:\d\d left/);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    const transcript = session.transcript();
    expect(transcript).toMatch(/and enter the code +[A-Z]{4}-?[A-Z]{4}/);
    // uqr's compact rendering: half blocks, two rows of modules per line.
    expect(transcript).toMatch(/[\u2580\u2584\u2588]{10}/);
    expect(transcript).toMatch(/Bearer token: +\S+/);
  });

  it('ends with exit code 5 and no account when the person presses Ctrl-C at a question', async () => {
    const home = await provider.newHome();
    const session = startInTerminal([process.execPath, BIN, 'authorize', 'tom'], terminalEnv(home));
    try {
      await session.waitFor(/Preset .*\[custom\]: $/);
      session.type('\u0003');
      expect(await session.exited).toBe(5);
    } finally {
      session.kill();
    }
    expect(session.transcript()).toContain('oauth-authorizer: interrupted: no answer was given');
    expect((await runCli(['accounts', '--json'], { home })).stdout.trim()).toBe('[]');
  });

  it('a Gmail address: google by default, fixed fields in plain words, the secret required, no device flow, the secret stored by default', async () => {
    const home = await provider.newHome();
    const session = startInTerminal([process.execPath, BIN, 'authorize', 'me@gmail.com'], terminalEnv(home));
    try {
      await session.waitFor(/Preset \(a number, an id, a preset package or a file\) \[google\]: $/);
      session.type('\r');
      await session.waitFor(/Client ID: $/);
      session.type('1234-abc.apps.googleusercontent.com\r');
      await session.waitFor(/Client secret \(Google \(Gmail\) requires one\) \(hidden\): $/);
      // Required: an empty answer is not taken.
      session.type('\r');
      await session.waitFor(
        /an answer is needed\s+Client secret \(Google \(Gmail\) requires one\) \(hidden\): $/,
      );
      session.type('GOCSPX-not-really-secret\r');
      await session.waitFor(/Scopes, separated by spaces \[https:\/\/mail\.google\.com\/\]: $/);
      session.type('\r');
      // Decided at once: the device flow is not offered with the Gmail scope, and not asked for.
      await session.waitFor(/\? \(y\/n\) \[y\]: $/);
      session.type('\u0003');
      expect(await session.exited).toBe(5);
    } finally {
      session.kill();
    }
    const transcript = session.transcript();
    expect(transcript).toContain('Client authentication: the client secret is sent in the request body');
    expect(transcript).toContain('Sent with the sign-in: access_type=offline (asks for a refresh token)');
    for (const internal of ['clientAuth:', 'authorizationParams', 'scopeSet', 'tokenUrl'])
      expect(transcript).not.toContain(internal);
    expect(transcript).toMatch(
      /The device code flow .* is not offered: Google does not allow the Gmail scope/,
    );
    expect(transcript).toContain('Flow: the authorization code flow');
    expect(transcript).not.toMatch(/Choose 1-\d or a name/);
    expect(transcript).toMatch(/client secret that is not confidential, and every refresh needs it/);
    expect(transcript).not.toContain('GOCSPX-not-really-secret');
  });

  it('an Outlook.com address suggests the microsoft preset', async () => {
    const home = await provider.newHome();
    const session = startInTerminal(
      [process.execPath, BIN, 'authorize', 'me@outlook.com'],
      terminalEnv(home),
    );
    try {
      await session.waitFor(/Preset \(a number, an id, a preset package or a file\) \[microsoft\]: $/);
      session.type('\u0003');
      expect(await session.exited).toBe(5);
    } finally {
      session.kill();
    }
    expect(session.transcript()).toContain(
      'outlook.com is a Microsoft (Outlook.com, Microsoft 365) domain: press Enter for "microsoft"',
    );
  });

  it('--flow device with the Gmail scope fails before the first question, so no answer is lost', async () => {
    const home = await provider.newHome();
    const session = startInTerminal(
      [process.execPath, BIN, 'authorize', 'me@gmail.com', '--preset', 'google', '--flow', 'device'],
      terminalEnv(home),
    );
    try {
      expect(await session.exited).toBe(2);
    } finally {
      session.kill();
    }
    const transcript = session.transcript();
    expect(transcript).toContain('Google does not allow the Gmail scope');
    expect(transcript).toContain('hint: use --flow code');
    expect(transcript).not.toContain('Client ID');
  });
});
