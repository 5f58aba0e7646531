#!/usr/bin/env node
// `pnpm test:setup`: installs the Debian packages of the system servers the tests run (as root, or
// through sudo), says what and why first, stops the services Debian starts on install (the tests
// run their own instances on loopback) through the service manager or the pid file, never by
// process name, and prints each server's version.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { inspect, SYSTEM_REQUIREMENTS, versionOf } from './servers.mjs';

const fail = (message) => {
  process.stderr.write(`test:setup: ${message}\n`);
  process.exit(1);
};

function privileged(command, args) {
  if (process.getuid?.() === 0) return [command, args];
  if (spawnSync('sudo', ['-n', 'true']).status === 0 || process.stdin.isTTY)
    return ['sudo', [command, ...args]];
  fail(`installing packages needs root: run "sudo ${command} ${args.join(' ')}", or this script as root`);
}

function run(command, args, options = {}) {
  const [file, argv] = privileged(command, args);
  const result = spawnSync(file, argv, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    ...options,
  });
  return result.status === 0;
}

/** Stops a service Debian started: the service manager first, else the pid in its pid file. */
function stopService({ service, pidFile }) {
  if (service === undefined) return;
  const quiet = { stdio: 'ignore' };
  if (existsSync('/run/systemd/system') && run('systemctl', ['stop', service], quiet)) return;
  if (existsSync(`/etc/init.d/${service}`) && run('service', [service, 'stop'], quiet)) return;
  if (pidFile !== undefined && existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1) run('kill', [String(pid)], quiet);
  }
}

if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get'))
  fail(
    'this installs Debian/Ubuntu packages with apt-get; on another system install the packages below by hand:\n' +
      SYSTEM_REQUIREMENTS.map((r) => `  ${r.name}: ${r.packages.join(' ')}`).join('\n'),
  );

const before = inspect();
const needed = before.filter((entry) => entry.missing.length > 0);
if (needed.length === 0) {
  process.stdout.write('test:setup: every system server the tests need is installed.\n');
} else {
  process.stdout.write('test:setup will install these Debian packages:\n');
  for (const { requirement } of needed)
    process.stdout.write(
      `  ${requirement.packages.join(' ')}\n      for ${requirement.name}: ${requirement.why}\n`,
    );
  const packages = needed.flatMap(({ requirement }) => requirement.packages);
  if (!run('apt-get', ['update', '-qq'])) fail('apt-get update failed');
  if (!run('apt-get', ['install', '-y', '-qq', ...packages]))
    fail(`apt-get install ${packages.join(' ')} failed`);
}
// Debian starts these on install; a left-over instance would hold the ports and data of a real one.
for (const requirement of SYSTEM_REQUIREMENTS) stopService(requirement);

const after = inspect();
const still = after.filter((entry) => entry.missing.length > 0);
for (const { requirement, first } of after)
  if (first !== undefined)
    process.stdout.write(`  ${requirement.name}: ${versionOf(first, requirement.versionArgs)}\n`);
if (still.length > 0)
  fail(`still missing after the install: ${still.flatMap((entry) => entry.missing).join(', ')}`);
