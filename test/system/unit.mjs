#!/usr/bin/env node
// `pnpm test:unit`: the test files that need no system server (no Dovecot, Redis, Chromium, mail
// client or keyring), for quick work. Which ones is read from the files themselves: a marker of a
// system server in the file or in a local module it imports (servers.mjs lists them).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listTestFiles, usesSystemServer } from './servers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = listTestFiles(root).filter((file) => !usesSystemServer(root, file));
if (process.argv.includes('--list')) {
  process.stdout.write(`${files.join('\n')}\n`);
  process.exit(0);
}
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...files, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
