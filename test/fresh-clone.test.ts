import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README followed from a fresh clone, as a new user does: its demo line exactly as written,
// and the first two steps of its test line (the third, `pnpm test`, is this very run).
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'oauth-authorizer-fresh-clone-'));
const clone = join(scratch, 'clone');
execFileSync('git', ['clone', '--quiet', root, clone]);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function shell(line: string) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      {
        cwd: clone,
        encoding: 'utf8',
        timeout: 400_000,
        maxBuffer: 64 * 1024 * 1024,
        // The build reuses this checkout's turbo cache: the same sources give the same outputs,
        // so a clone of what this run built does not build it again (a different one builds).
        env: { ...process.env, TURBO_CACHE_DIR: join(root, '.turbo', 'cache'), NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

describe('the README from a fresh clone', () => {
  it('`pnpm install && pnpm demo` runs the demo to its summary, with no build noise', async () => {
    const run = await shell('pnpm install && pnpm demo');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('messages sent: 6 of 6, failed: 0');
    expect(run.stdout).toContain('Stopped both servers');
    // The quiet build: one line, no turbo or tsup log.
    expect(run.stderr).toContain('Building the packages…');
    expect(run.stdout + run.stderr).not.toMatch(
      /Tasks:\s+\d+ successful|ESM Build success|Packages in scope/,
    );
  }, 420_000);

  it('`pnpm test:setup` finds every system server the tests need and names their versions', async () => {
    const run = await shell('pnpm test:setup');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('every system server the tests need is installed');
    expect(run.stdout).toMatch(/dovecot: 2\.\d/);
    expect(run.stdout).toMatch(/redis-server: Redis server/);
  }, 120_000);
});
