import { execFile, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliOptions, type CliResult, runCli, TEST_BROWSER } from './cli-process.js';
import { type KeyringSession, startKeyringSession } from './keyring-session.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

const run = promisify(execFile);

let provider: TestProvider;
let session: KeyringSession;

beforeAll(async () => {
  provider = await startTestProvider();
  session = await startKeyringSession();
  await session.startKeyring({ unlocked: true });
}, 60_000);

afterAll(async () => {
  await session?.close();
  await provider?.close();
});

/** Runs the CLI inside the keyring session. */
function inSession(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return runCli(args, { ...options, env: { ...session.env, ...options.env } });
}

/** Every file under `directory`, recursively, as text. */
async function filesUnder(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path, 'latin1'));
  }
  return files;
}

/** The files under the CLI's home and the session's home that contain `secret`. */
async function filesContaining(home: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const directory of [home, session.home])
    for (const [path, text] of await filesUnder(directory)) if (text.includes(secret)) found.push(path);
  return found;
}

/** What Secret Service holds for the account, read with libsecret's own tool (not the CLI's library). */
async function secretServiceEntry(account: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(
      'secret-tool',
      ['lookup', 'service', 'oauth-authorizer', 'username', account],
      {
        env: { ...process.env, ...session.env },
      },
    );
    return stdout === '' ? undefined : stdout;
  } catch {
    return undefined;
  }
}

async function authorize(
  home: string,
  account: string,
  extra: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return inSession(
    [
      'authorize',
      account,
      '--preset',
      provider.presetFile,
      '--client-id',
      clients.native.clientId,
      '--json',
      ...extra,
    ],
    { home, env: { TEST_BROWSER_LOGIN: account, ...env } },
  );
}

/**
 * Makes the stored access token of `account` one that expired a minute ago, as time would: the
 * next `token` must refresh. (A short-lived token instead would race a loaded machine: it must
 * still be fresh for the hot-path run right after authorize.)
 */
async function expireAccessToken(home: string, account: string): Promise<void> {
  const path = join(home, 'accounts', `${account}.json`);
  const file = JSON.parse(await readFile(path, 'utf8')) as { tokens: { expires_at: string } };
  file.tokens.expires_at = new Date(Date.now() - 60_000).toISOString();
  await writeFile(path, JSON.stringify(file));
}

async function refreshTokenShown(home: string, account: string): Promise<string> {
  const shown = await inSession(['show', account, '--json', '--reveal'], { home });
  expect(shown.code, shown.stderr).toBe(0);
  return (JSON.parse(shown.stdout) as { tokens: { refresh_token: string } }).tokens.refresh_token;
}

/** An environment with no session bus at all, and nothing for D-Bus to fall back to. */
async function noBusEnv(): Promise<Record<string, string | undefined>> {
  const empty = await mkdtemp(join(tmpdir(), 'oauth-authorizer-no-bus-'));
  return { DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, XDG_RUNTIME_DIR: empty, HOME: empty };
}

describe('--store keyring keeps the refresh token in the OS keyring', () => {
  it('authorize stores the refresh token only in Secret Service; token answers from the file, refreshes through the keyring', async () => {
    const home = await provider.newHome();
    const account = 'kira@example.test';
    const authorized = await authorize(home, account, ['--store', 'keyring']);
    expect(authorized.code, authorized.stderr).toBe(0);
    const tokens = JSON.parse(authorized.stdout) as Record<string, string>;
    expect(tokens.refresh_token).toMatch(/\S{20,}/);

    expect(await filesContaining(home, tokens.refresh_token as string)).toEqual([]);
    const entry = await secretServiceEntry(account);
    expect(entry).toContain(tokens.refresh_token);
    const file = JSON.parse(await readFile(join(home, 'accounts', `${account}.json`), 'utf8'));
    expect(file.settings.store).toBe('keyring');
    expect(file.tokens.access_token).toBe(tokens.access_token);

    // A fresh token: from the file (the hot path).
    const cached = await inSession(['token', account], { home });
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stdout.trim()).toBe(tokens.access_token);

    // An expired one: refreshed with the refresh token from the keyring, the rotated one stored there.
    await expireAccessToken(home, account);
    const before = provider.server.countTokenRequests('refresh_token');
    const refreshed = await inSession(['token', account], { home });
    expect(refreshed.stderr).toBe('');
    expect(refreshed.code).toBe(0);
    const token = refreshed.stdout.trim();
    expect(token).not.toBe(tokens.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 1);
    expect(await provider.server.introspect(token)).toMatchObject({ active: true, email: account });
    const rotated = await refreshTokenShown(home, account);
    expect(rotated).not.toBe(tokens.refresh_token);
    expect(await secretServiceEntry(account)).toContain(rotated);
    expect(await filesContaining(home, rotated)).toEqual([]);

    const again = await inSession(['refresh', account, '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before + 2);
    expect(await filesContaining(home, await refreshTokenShown(home, account))).toEqual([]);
    const shown = await inSession(['show', account], { home });
    expect(shown.stdout).toMatch(/Secrets kept in: +the OS keyring \(service "oauth-authorizer"\)/);
    expect(shown.stdout).not.toContain(rotated);
  }, 90_000);

  it('keeps a saved client secret in the keyring too, and uses it to refresh', async () => {
    const home = await provider.newHome();
    const account = 'kim@example.test';
    const secret = clients.basic.clientSecret as string;
    const authorized = await inSession(
      [
        'authorize',
        account,
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.basic.clientId,
        '--save-client-secret',
        '--store',
        'keyring',
        '--json',
      ],
      { home, env: { TEST_BROWSER_LOGIN: account, OAUTH_AUTHORIZER_CLIENT_SECRET: secret } },
    );
    expect(authorized.code, authorized.stderr).toBe(0);
    expect(await filesContaining(home, secret)).toEqual([]);
    expect(await secretServiceEntry(account)).toContain(secret);
    const refreshed = await inSession(['refresh', account], { home });
    expect(refreshed.code, refreshed.stderr).toBe(0);
  }, 60_000);

  it('store migrate moves the secrets to the file and back, and both work', async () => {
    const home = await provider.newHome();
    const account = 'kai@example.test';
    expect((await authorize(home, account, ['--store', 'keyring'])).code).toBe(0);

    const toFile = await inSession(['store', 'migrate', account, '--to', 'file'], { home });
    expect(toFile.code, toFile.stderr).toBe(0);
    const inFile = await refreshTokenShown(home, account);
    expect(await filesContaining(home, inFile)).toEqual([join(home, 'accounts', `${account}.json`)]);
    expect(await secretServiceEntry(account)).toBeUndefined();
    const fileRefresh = await inSession(['refresh', account], { home });
    expect(fileRefresh.code, fileRefresh.stderr).toBe(0);

    const toKeyring = await inSession(['store', 'migrate', account, '--to', 'keyring'], { home });
    expect(toKeyring.code, toKeyring.stderr).toBe(0);
    const inKeyring = await refreshTokenShown(home, account);
    expect(await filesContaining(home, inKeyring)).toEqual([]);
    expect(await secretServiceEntry(account)).toContain(inKeyring);
    const keyringRefresh = await inSession(['refresh', account], { home });
    expect(keyringRefresh.code, keyringRefresh.stderr).toBe(0);

    const removed = await inSession(['remove', account], { home });
    expect(removed.code, removed.stderr).toBe(0);
    expect(await secretServiceEntry(account)).toBeUndefined();
  }, 90_000);

  it('without a D-Bus session, --store keyring is CLI_KEYRING_UNAVAILABLE naming --store file, before anyone signs in', async () => {
    const home = await provider.newHome();
    const before = provider.server.countTokenRequests('authorization_code');
    const result = await authorize(
      home,
      'nobus@example.test',
      ['--store', 'keyring', '--debug'],
      await noBusEnv(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CLI_KEYRING_UNAVAILABLE');
    expect(result.stderr).toContain('there is no OS keyring here');
    expect(result.stderr).toContain('--store file');
    expect(provider.server.countTokenRequests('authorization_code')).toBe(before);
    const listed = await runCli(['accounts', '--json'], { home });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('a keyring account without a D-Bus session: refresh fails with the typed error, never falling back', async () => {
    const home = await provider.newHome();
    const account = 'kit@example.test';
    const authorized = await authorize(home, account, ['--store', 'keyring']);
    expect(authorized.code, authorized.stderr).toBe(0);
    const refreshToken = (JSON.parse(authorized.stdout) as Record<string, string>).refresh_token as string;
    const before = provider.server.countTokenRequests('refresh_token');
    const result = await runCli(['refresh', account, '--debug'], { home, env: await noBusEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CLI_KEYRING_UNAVAILABLE');
    expect(result.stderr).toContain('store migrate');
    expect(result.stderr).not.toContain(refreshToken);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(before);

    // What the hint says works: the account authorized again into its file, still without a bus.
    const moved = await authorize(home, account, ['--store', 'file'], await noBusEnv());
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain('the old secrets of "kit@example.test" stay in the OS keyring');
    const inFile = (JSON.parse(moved.stdout) as Record<string, string>).refresh_token as string;
    expect(await filesContaining(home, inFile)).toEqual([join(home, 'accounts', `${account}.json`)]);
    const refreshed = await runCli(['refresh', account], { home, env: await noBusEnv() });
    expect(refreshed.code, refreshed.stderr).toBe(0);
  }, 90_000);

  it('a keyring entry deleted behind the CLI is CLI_KEYRING_ENTRY_MISSING (exit 3), and authorizing again repairs it', async () => {
    const home = await provider.newHome();
    const account = 'kendall@example.test';
    expect((await authorize(home, account, ['--store', 'keyring'])).code).toBe(0);
    await run('secret-tool', ['clear', 'service', 'oauth-authorizer', 'username', account], {
      env: { ...process.env, ...session.env },
    });
    const refreshed = await inSession(['refresh', account, '--debug'], { home });
    expect(refreshed.code).toBe(3);
    expect(refreshed.stderr).toContain('CLI_KEYRING_ENTRY_MISSING');
    expect(refreshed.stderr).toContain(`oauth-authorizer authorize ${account}`);
    const again = await inSession(['authorize', account, '--json'], {
      home,
      env: { TEST_BROWSER_LOGIN: account },
    });
    expect(again.code, again.stderr).toBe(0);
    const refreshToken = (JSON.parse(again.stdout) as Record<string, string>).refresh_token as string;
    expect(await secretServiceEntry(account)).toContain(refreshToken);
    expect(await filesContaining(home, refreshToken)).toEqual([]);
  }, 60_000);

  it('a locked keyring is CLI_KEYRING_LOCKED', async () => {
    const home = await provider.newHome();
    const account = 'kay@example.test';
    expect((await authorize(home, account, ['--store', 'keyring'])).code).toBe(0);
    await session.stopKeyring();
    await session.startKeyring({ unlocked: false });
    try {
      const refreshed = await inSession(['refresh', account, '--debug'], { home });
      expect(refreshed.code).toBe(1);
      expect(refreshed.stderr).toContain('CLI_KEYRING_LOCKED');
      expect(refreshed.stderr).toContain('the OS keyring is locked');
      expect(refreshed.stderr).toContain(`oauth-authorizer authorize ${account} --store file`);
      // What the hint says works while the keyring stays locked.
      const moved = await authorize(home, account, ['--store', 'file']);
      expect(moved.code, moved.stderr).toBe(0);
      expect((await inSession(['refresh', account], { home })).code).toBe(0);
      // Writing a new account needs the keyring unlocked as well.
      const other = await provider.newHome();
      const written = await authorize(other, 'kat@example.test', ['--store', 'keyring', '--debug']);
      expect(written.code).toBe(1);
      expect(written.stderr).toContain('CLI_KEYRING_LOCKED');
    } finally {
      await session.stopKeyring();
      await session.startKeyring({ unlocked: true });
    }
  }, 90_000);

  it('store migrate: a missing --to or subcommand is a usage error, an unknown account exit 3', async () => {
    const home = await provider.newHome();
    const noTarget = await inSession(['store', 'migrate', 'ghost@example.test'], { home });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('store migrate: --to must be file or keyring');
    const noSubcommand = await inSession(['store', 'move', 'ghost@example.test'], { home });
    expect(noSubcommand.code).toBe(2);
    expect(noSubcommand.stderr).toContain('unknown subcommand "move"');
    const unknown = await inSession(['store', 'migrate', 'ghost@example.test', '--to', 'keyring'], { home });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('there is no account "ghost@example.test"');
  });

  it('--store takes only file or keyring', async () => {
    const home = await provider.newHome();
    const result = await authorize(home, 'typo@example.test', ['--store', 'keychain']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--store must be file or keyring, got "keychain"');
  });
});

const RECORDER = fileURLToPath(new URL('./fixtures/record-loaded-modules.cjs', import.meta.url));
const CACHED_READER = fileURLToPath(new URL('../../core/dist/cached-access-token.cjs', import.meta.url));

/**
 * Runs the CLI in the session with the recorder preloaded; returns its output and the files it
 * required. Not spawnSync: the test provider runs in this process and must answer the refresh.
 */
async function recorded(
  home: string,
  args: string[],
): Promise<{ stdout: string; status: number | null; files: string[] }> {
  const record = join(home, `record-${Date.now()}.json`);
  const result = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
    const child = spawn(process.execPath, ['-r', RECORDER, BIN, ...args], {
      env: {
        ...process.env,
        ...session.env,
        OAUTH_AUTHORIZER_HOME: home,
        RECORD_FILE: record,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('close', (status) => resolve({ stdout, status }));
  });
  const { files } = JSON.parse(await readFile(record, 'utf8')) as { files: string[] };
  return { ...result, files: files.map((file) => realpathSync(file)) };
}

describe('the token hot path of a keyring account', () => {
  it('reads the account file alone: the keyring library is loaded only when a refresh needs it', async () => {
    const home = await provider.newHome();
    const account = 'kelly@example.test';
    const authorized = await authorize(home, account, ['--store', 'keyring']);
    expect(authorized.code, authorized.stderr).toBe(0);
    const tokens = JSON.parse(authorized.stdout) as Record<string, string>;

    const hot = await recorded(home, ['token', account]);
    expect(hot.status).toBe(0);
    expect(hot.stdout.trim()).toBe(tokens.access_token);
    expect(hot.files).toEqual([RECORDER, BIN, CACHED_READER].map((file) => realpathSync(file)));

    await expireAccessToken(home, account);
    const refreshing = await recorded(home, ['token', account]);
    expect(refreshing.status).toBe(0);
    expect(refreshing.stdout.trim()).not.toBe(tokens.access_token);
    expect(
      refreshing.files.some((file) => file.includes('@napi-rs/keyring') || file.includes('@napi-rs+keyring')),
    ).toBe(true);
  }, 60_000);
});

/**
 * The processes whose `$HOME` is `home`: what a session there started and left running, once
 * given up to 10 s to leave (a daemon notices its bus is gone in its own time on a loaded machine).
 */
async function processesLeftWithHome(home: string): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids: number[] = [];
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '');
      if (environ.split('\0').includes(`HOME=${home}`)) pids.push(Number(name));
    }
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await sleep(100);
  }
}

describe('the README recipe for a headless box', () => {
  it('dbus-run-session with gnome-keyring-daemon --unlock: authorize --store keyring, then token, in one session', async () => {
    const home = await provider.newHome();
    const sessionHome = await mkdtemp(join(tmpdir(), 'oauth-authorizer-dbus-run-session-'));
    const account = 'kris@example.test';
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    const script = [
      'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null',
      `${cli} authorize ${account} --preset ${JSON.stringify(provider.presetFile)} --client-id ${clients.native.clientId} --store keyring --json > authorized.json`,
      `${cli} token ${account} --json > token.json`,
      `secret-tool lookup service oauth-authorizer username ${account} > entry.txt`,
    ].join(' && ');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
        cwd: sessionHome,
        env: {
          ...process.env,
          HOME: sessionHome,
          XDG_RUNTIME_DIR: sessionHome,
          DBUS_SESSION_BUS_ADDRESS: '',
          OAUTH_AUTHORIZER_HOME: home,
          NO_COLOR: '1',
          BROWSER: TEST_BROWSER,
          TEST_BROWSER_LOGIN: account,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    try {
      // gnome-keyring-daemon leaves with its session bus; one that stayed would be killed here.
      const left = await processesLeftWithHome(sessionHome);
      for (const pid of left) process.kill(pid, 'SIGTERM');
      expect(left).toEqual([]);
      expect(result.code, result.stderr).toBe(0);
      const authorized = JSON.parse(await readFile(join(sessionHome, 'authorized.json'), 'utf8'));
      const token = JSON.parse(await readFile(join(sessionHome, 'token.json'), 'utf8'));
      expect(token.access_token).toBe(authorized.access_token);
      expect(await readFile(join(sessionHome, 'entry.txt'), 'utf8')).toContain(authorized.refresh_token);
      const inFiles = (await filesUnder(home)).values();
      for (const text of inFiles) expect(text).not.toContain(authorized.refresh_token);
    } finally {
      await rm(sessionHome, { recursive: true, force: true });
    }
  }, 90_000);
});
