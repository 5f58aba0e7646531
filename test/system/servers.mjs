// The system servers and programs the test suite runs for real, one entry each: what it is for,
// where its binary is, the Debian packages that bring it, and how it tells its version. One list
// serves `pnpm test:setup` (install), `pnpm test` (check first, fail fast) and `pnpm test:unit`
// (leave out the test files that use any of them).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * @typedef {object} SystemRequirement
 * @property {string} name what the tests call it
 * @property {string} why which tests need it
 * @property {string[]} packages the Debian packages that install it
 * @property {string[]} binaries every executable that must be there (a name is looked up in the search directories)
 * @property {string[]} [versionArgs] the arguments that make the first binary print its version
 * @property {RegExp[]} markers what in a test file (or a local module it imports) shows that it uses it
 * @property {string} [service] the service Debian starts on install, stopped again after it
 * @property {string} [pidFile] that service's pid file
 */

/** @type {SystemRequirement[]} */
export const SYSTEM_REQUIREMENTS = [
  {
    name: 'dovecot',
    why: 'IMAP, POP3 and submission with XOAUTH2/OAUTHBEARER (mail adapters, check, proxy, examples)',
    packages: ['dovecot-core', 'dovecot-imapd', 'dovecot-pop3d', 'dovecot-submissiond'],
    binaries: ['dovecot', '/usr/lib/dovecot/imap', '/usr/lib/dovecot/pop3', '/usr/lib/dovecot/submission'],
    versionArgs: ['--version'],
    markers: [/\bstartDovecot\b/],
    service: 'dovecot',
    pidFile: '/run/dovecot/master.pid',
  },
  {
    name: 'redis-server',
    why: 'the shared Redis token store and its fenced lock',
    packages: ['redis-server'],
    binaries: ['redis-server'],
    versionArgs: ['--version'],
    markers: [/\bstartRedis\b/],
    service: 'redis-server',
    pidFile: '/run/redis/redis-server.pid',
  },
  {
    name: 'chromium',
    why: 'a real browser signing in (code flow, device flow, the demo with --browser)',
    packages: ['chromium'],
    binaries: ['/usr/bin/chromium'],
    versionArgs: ['--version'],
    markers: [/\blaunchChromium\b/, /\bisChromiumInstalled\b/, /\bCHROMIUM_PATH\b/],
  },
  {
    name: 'mail clients',
    why: 'msmtp, mbsync (isync), neomutt, aerc and curl logging in with the CLI’s tokens',
    packages: ['msmtp', 'isync', 'libsasl2-modules-kdexoauth2', 'neomutt', 'aerc', 'curl'],
    binaries: ['msmtp', 'mbsync', 'neomutt', 'aerc', 'curl'],
    versionArgs: ['--version'],
    markers: [/['"`](msmtp|mbsync|neomutt|aerc|curl)['"`\s]/],
  },
  {
    name: 'keyring',
    why: 'the OS keyring store: gnome-keyring in a D-Bus session',
    packages: ['gnome-keyring', 'dbus', 'dbus-x11', 'libsecret-tools'],
    binaries: ['gnome-keyring-daemon', 'dbus-run-session', 'dbus-daemon', 'dbus-send', 'secret-tool'],
    versionArgs: ['--version'],
    markers: [/gnome-keyring|dbus-run-session/],
  },
  {
    name: 'tools',
    why: 'a pseudo-terminal (util-linux script), throw-away certificates (openssl), Python’s mail clients',
    packages: ['bsdutils', 'openssl', 'python3'],
    binaries: ['script', 'openssl', 'python3'],
    versionArgs: ['--version'],
    markers: [/['"`](script|python3)['"`]/, /\bcreateSelfSignedCertificate\b/],
  },
];

/** Where binaries named without a path are looked for: `PATH` and the system's sbin directories. */
export function searchDirectories(env = process.env) {
  const override = env.OAUTH_AUTHORIZER_TEST_BIN_DIRS;
  if (override !== undefined) return override.split(delimiter).filter(Boolean);
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])
    if (!dirs.includes(dir)) dirs.push(dir);
  return dirs;
}

/**
 * The full path of a binary, or undefined when it is not there. With `reroot`, an absolute path is
 * looked for under each directory instead, so that a test can hide it too.
 */
export function locate(binary, dirs, reroot = false) {
  if (binary.startsWith('/') && !reroot) return existsSync(binary) ? binary : undefined;
  return dirs.map((dir) => join(dir, binary)).find((path) => existsSync(path));
}

/** Each requirement with the binaries it lacks (none: it is there) and where its first binary is. */
export function inspect(env = process.env) {
  const dirs = searchDirectories(env);
  const reroot = env.OAUTH_AUTHORIZER_TEST_BIN_DIRS !== undefined;
  return SYSTEM_REQUIREMENTS.map((requirement) => {
    const found = requirement.binaries.map((binary) => [binary, locate(binary, dirs, reroot)]);
    return {
      requirement,
      missing: found.filter(([, path]) => path === undefined).map(([binary]) => binary),
      first: found[0]?.[1],
    };
  });
}

/** The first line a binary prints of its version, or what went wrong. */
export function versionOf(path, args = ['--version']) {
  try {
    const out = execFileSync(path, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    return (
      out
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim() ?? '(no version printed)'
    );
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return (
      out
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim() ?? `(could not run: ${error.code ?? error.message})`
    );
  }
}

/** Whether a directory name is one whose tests never run (dependencies, build output). */
export function isIgnoredDirectory(name) {
  return name === 'node_modules' || name === 'dist' || name.startsWith('.');
}

/** Every `*.test.ts` under `root`'s test folders, relative to it. */
export function listTestFiles(root, folders = ['packages', 'examples', 'tools', 'bench', 'test']) {
  const files = [];
  const walk = (relative) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!isIgnoredDirectory(entry.name)) walk(join(relative, entry.name));
      } else if (entry.name.endsWith('.test.ts')) files.push(join(relative, entry.name));
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(folder);
  return files.sort();
}

const LOCAL_IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Whether a test file uses a system server: a marker in it or in a local module it imports,
 * followed transitively (the shared fixtures are where most servers start).
 */
export function usesSystemServer(root, file, seen = new Set()) {
  const path = join(root, file);
  if (seen.has(path)) return false;
  seen.add(path);
  let source;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (SYSTEM_REQUIREMENTS.some((requirement) => requirement.markers.some((marker) => marker.test(source))))
    return true;
  for (const [, specifier] of source.matchAll(LOCAL_IMPORT)) {
    const base = join(dirname(file), specifier);
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const next = candidates.find(
      (candidate) => existsSync(join(root, candidate)) && !candidate.endsWith('/'),
    );
    if (next !== undefined && usesSystemServer(root, next, seen)) return true;
  }
  return false;
}
