import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// A directory with no binaries in it stands for a machine without the system servers.
const empty = mkdtempSync(join(tmpdir(), 'oauth-authorizer-no-servers-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('pnpm test on a machine without the system servers', () => {
  it('stops before building, with one message: what is missing and `pnpm test:setup`', () => {
    const run = spawnSync('pnpm', ['test'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, OAUTH_AUTHORIZER_TEST_BIN_DIRS: empty },
    });
    expect(run.signal).toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('The tests need system servers that are not installed');
    for (const server of ['dovecot', 'redis-server', 'chromium', 'mail clients'])
      expect(run.stderr).toContain(`- ${server} (`);
    expect(run.stderr).toContain('Install them with: pnpm test:setup');
    // It stopped at the check: no build ran and no test file was started.
    expect(run.stderr + run.stdout).not.toContain('Building the packages');
    expect(run.stdout).not.toMatch(/Test Files/);
  });

  it('passes the check where every server is there (this machine)', () => {
    const run = spawnSync(process.execPath, [join(root, 'test/system/check.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('pnpm test:unit', () => {
  it('picks the test files that need no system server', () => {
    const run = spawnSync(process.execPath, [join(root, 'test/system/unit.mjs'), '--list'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const files = run.stdout.trim().split('\n');
    expect(files).toContain('packages/core/test/token-manager.test.ts');
    expect(files).not.toContain('packages/mail-adapters/test/imapflow-dovecot.test.ts');
    expect(files).not.toContain('packages/store-redis/test/distributed-lock.test.ts');
    expect(files).not.toContain('packages/redirect-listener/test/browser.test.ts');
  });
});
