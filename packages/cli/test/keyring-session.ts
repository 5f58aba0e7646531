/**
 * A private D-Bus session bus with gnome-keyring-daemon's Secret Service on it — what
 * `dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; …'`
 * gives a shell, but with both daemons owned (and stopped) by the test. The keyring files live in
 * the session's own `$HOME`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The keyring's password in tests. */
export const KEYRING_PASSWORD = 'test-keyring-password';

/** A running session bus; `keyring` is the gnome-keyring-daemon on it, when started. */
export interface KeyringSession {
  /** `$HOME` of the session: the keyring files are under `.local/share/keyrings`. */
  home: string;
  /** The variables a process needs to use this session's keyring. */
  env: Record<string, string>;
  /** Starts gnome-keyring-daemon on the bus, unlocked with {@link KEYRING_PASSWORD} or left locked. */
  startKeyring(options: { unlocked: boolean }): Promise<void>;
  /** Stops the keyring daemon (its files stay). */
  stopKeyring(): Promise<void>;
  /** Stops both daemons and deletes the session's home. */
  close(): Promise<void>;
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Whether a name is owned on the bus (the daemon has registered). */
async function hasOwner(env: Record<string, string>, name: string): Promise<boolean> {
  const { stdout } = await run(
    'dbus-send',
    [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      `string:${name}`,
    ],
    { env: { ...process.env, ...env } },
  );
  return /boolean true/.test(stdout);
}

/** Starts a session bus in a new temporary `$HOME`. */
export async function startKeyringSession(): Promise<KeyringSession> {
  const home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-keyring-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const address = `unix:path=${join(runtime, 'bus')}`;
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', `--address=${address}`], {
    stdio: 'ignore',
  });
  const env: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local/share'),
    DBUS_SESSION_BUS_ADDRESS: address,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await hasOwner(env, 'org.freedesktop.DBus');
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(50);
    }
  }
  let keyring: ChildProcess | undefined;
  return {
    home,
    env,
    async startKeyring({ unlocked }) {
      await stop(keyring);
      keyring = spawn(
        'gnome-keyring-daemon',
        ['--foreground', '--components=secrets', ...(unlocked ? ['--unlock'] : [])],
        { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] },
      );
      keyring.stdin?.on('error', () => {});
      keyring.stdin?.end(unlocked ? KEYRING_PASSWORD : '');
      for (let attempt = 0; !(await hasOwner(env, 'org.freedesktop.secrets')); attempt++) {
        if (attempt > 200) throw new Error('gnome-keyring-daemon did not register org.freedesktop.secrets');
        await sleep(50);
      }
    },
    async stopKeyring() {
      await stop(keyring);
      keyring = undefined;
      // The bus releases the name when the daemon's connection closes.
      for (let attempt = 0; await hasOwner(env, 'org.freedesktop.secrets'); attempt++) {
        if (attempt > 100) throw new Error('org.freedesktop.secrets is still owned');
        await sleep(50);
      }
    },
    async close() {
      await stop(keyring);
      await stop(bus);
      await rm(home, { recursive: true, force: true });
    },
  };
}
