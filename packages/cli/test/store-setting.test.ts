import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// `config set store keyring`: new accounts keep their secrets in the OS keyring without
// `--store keyring` on every authorize. Without a keyring (no D-Bus session here) that default
// shows in the typed error before any sign-in, never in a silent fallback to the file.

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-store-setting-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const NO_SESSION = {
  DBUS_SESSION_BUS_ADDRESS: '/nonexistent/bus',
  DISPLAY: undefined,
  WAYLAND_DISPLAY: undefined,
};

describe('the store setting of config.json', () => {
  it('is set, shown and unset; a wrong value is a usage error', async () => {
    expect((await runCli(['config', 'set', 'store', 'keyring'], { home })).code).toBe(0);
    expect(JSON.parse(await readFile(join(home, 'config.json'), 'utf8'))).toEqual({ store: 'keyring' });
    expect((await runCli(['config', 'show'], { home })).stdout).toContain('store: keyring');
    const wrong = await runCli(['config', 'set', 'store', 'cloud'], { home });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('give file or keyring, got "cloud"');
    expect((await runCli(['config', 'unset', 'store'], { home })).code).toBe(0);
    expect((await runCli(['config', 'show'], { home })).stdout).toContain('store: (not set: file)');
  });

  it('makes authorize keep a new account in the keyring: without one, the typed error comes before any sign-in', async () => {
    await runCli(['config', 'set', 'store', 'keyring'], { home });
    const result = await runCli(
      [
        'authorize',
        'new@example.test',
        '--preset',
        'custom',
        '--client-id',
        'app',
        '--token-url',
        'http://127.0.0.1:9/token',
        '--auth-url',
        'http://127.0.0.1:9/auth',
        '--no-open',
      ],
      { home, env: NO_SESSION, timeout: 20_000 },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('there is no OS keyring here');
    expect(result.stderr).toContain('--store file');
    expect(result.stderr).not.toContain('Open this URL');
    // With --store file the setting is overridden for this account.
    const file = await runCli(
      [
        'authorize',
        'new@example.test',
        '--preset',
        'custom',
        '--client-id',
        'app',
        '--token-url',
        'http://127.0.0.1:9/token',
        '--auth-url',
        'http://127.0.0.1:9/auth',
        '--store',
        'file',
        '--no-open',
        '--timeout',
        '1',
      ],
      { home, env: NO_SESSION, timeout: 20_000 },
    );
    expect(file.stderr).not.toMatch(/keyring/i);
  });

  it('a config.json with a wrong store is a configuration error naming the setting', async () => {
    await runCli(['config', 'set', 'store', 'keyring'], { home });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(home, 'config.json'), JSON.stringify({ store: 42 }));
    const result = await runCli(['config', 'show'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has "store" = 42: it must be "file" or "keyring"');
  });
});
