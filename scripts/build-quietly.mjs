#!/usr/bin/env node
// Builds the workspace (turbo) without its ~300 lines of output: one line while it works, and
// the whole log only when the build fails. Extra arguments go to turbo (e.g. --filter).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...process.argv.slice(2)];
process.stderr.write('Building the packages…\n');
const child = spawn('pnpm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
const chunks = [];
child.stdout.on('data', (chunk) => chunks.push(chunk));
child.stderr.on('data', (chunk) => chunks.push(chunk));
child.on('close', (code) => {
  if (code !== 0) {
    process.stderr.write(Buffer.concat(chunks));
    process.stderr.write(`\nThe build failed (exit ${code}); its output is above.\n`);
  }
  process.exit(code ?? 1);
});
