import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, TEST_BROWSER } from './cli-process.js';
import { startInTerminal } from './pseudo-terminal.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

// Issue 15: --clipboard copies the device code (or the URL to open) with the clipboard tool there
// is, else with OSC 52 on a terminal.

let provider: TestProvider;
let fakeBin: string;

beforeAll(async () => {
  provider = await startTestProvider({ deviceInterval: 1 });
  fakeBin = join(await provider.newHome(), 'bin');
  await mkdir(fakeBin, { recursive: true });
  // A stand-in for xclip that records what it was given.
  await writeFile(
    join(fakeBin, 'xclip'),
    '#!/bin/sh\nprintf "%s" "$*" > "$CLIPBOARD_RECORD.args"\ncat > "$CLIPBOARD_RECORD"\n',
  );
  await chmod(join(fakeBin, 'xclip'), 0o755);
});

afterAll(async () => {
  await provider?.close();
});

function clipboardEnv(record: string): Record<string, string | undefined> {
  return {
    PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
    DISPLAY: ':0',
    WAYLAND_DISPLAY: undefined,
    CLIPBOARD_RECORD: record,
  };
}

describe('authorize --clipboard', () => {
  it('copies the device code with xclip', async () => {
    const home = await provider.newHome();
    const record = join(home, '..', 'device-clipboard');
    const result = await runCli(
      [
        'authorize',
        'sam',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--flow',
        'device',
        '--clipboard',
      ],
      { home, env: { ...clipboardEnv(record), TEST_BROWSER_LOGIN: 'sam@example.test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const code = /and enter the code +(\S+)/.exec(result.stderr)?.[1];
    expect(code).toBeDefined();
    expect(await readFile(record, 'utf8')).toBe(code);
    expect(await readFile(`${record}.args`, 'utf8')).toBe('-selection clipboard');
    expect(result.stderr).toContain('Copied the code to the clipboard (xclip).');
  });

  it('copies the URL to open in the code flow', async () => {
    const home = await provider.newHome();
    const record = join(home, '..', 'code-clipboard');
    const result = await runCli(
      [
        'authorize',
        'tina',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--clipboard',
      ],
      { home, env: { ...clipboardEnv(record), TEST_BROWSER_LOGIN: 'tina@example.test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const copied = await readFile(record, 'utf8');
    expect(copied.startsWith(`${provider.server.endpoints.authorization}?`)).toBe(true);
    expect(result.stderr).toContain(copied);
  });

  it('without a clipboard tool, writes OSC 52 to the terminal', async () => {
    const home = await provider.newHome();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (
        value !== undefined &&
        !['DISPLAY', 'WAYLAND_DISPLAY', 'OAUTH_AUTHORIZER_CLIENT_SECRET'].includes(key)
      )
        env[key] = value;
    const session = startInTerminal(
      [
        process.execPath,
        BIN,
        'authorize',
        'uma',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--flow',
        'device',
        '--clipboard',
      ],
      {
        ...env,
        OAUTH_AUTHORIZER_HOME: home,
        NO_COLOR: '1',
        TERM: 'xterm',
        BROWSER: TEST_BROWSER,
        TEST_BROWSER_LOGIN: 'uma@example.test',
      },
    );
    try {
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    const code = /and enter the code +(\S+)/.exec(session.transcript())?.[1] as string;
    expect(code).toBeDefined();
    expect(session.raw()).toContain(`\u001b]52;c;${Buffer.from(code).toString('base64')}\u0007`);
    expect(session.transcript()).toContain('Copied the code to the clipboard (OSC 52).');
  });

  it('says so when nothing can copy (no tool, stderr not a terminal), and authorizes anyway', async () => {
    const home = await provider.newHome();
    const result = await runCli(
      [
        'authorize',
        'vic',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--flow',
        'device',
        '--clipboard',
      ],
      {
        home,
        env: { DISPLAY: undefined, WAYLAND_DISPLAY: undefined, TEST_BROWSER_LOGIN: 'vic@example.test' },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: could not copy the code');
  });
});
