import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function runDemo(args: string[]) {
  return spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

// The README's `pnpm demo`, run as a new user runs it (with shorter waits).
describe('the local demo', () => {
  it('authorizes with the CLI by code flow, sends every message while tokens expire, and exits 0', () => {
    const run = runDemo(['--messages', '5', '--token-lifetime', '3', '--spacing', '1000']);
    expect(run.stderr).not.toMatch(/demo:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Bearer token:\s+\S+/);
    expect(run.stdout).toMatch(/Refresh token:\s+\S+/);
    expect(run.stdout).toContain('messages sent: 5 of 5, failed: 0');
    expect(run.stdout).toContain('messages the SMTP server accepted: 5');
    expect(run.stdout).toMatch(/↻ refresh #1: new access token [0-9a-f]{8}/);
    expect(run.stdout).toContain('Stopped both servers');
  });

  it('authorizes by device flow too, given as its usage line shows it (`pnpm demo -- --device`)', () => {
    const run = runDemo(['--', '--device', '--messages', '2', '--token-lifetime', '5', '--spacing', '500']);
    expect(run.stderr).not.toMatch(/Unexpected argument/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--flow device');
    expect(run.stdout).toContain('messages sent: 2 of 2, failed: 0');
    // Polls, the redeemed device code and refreshes are counted apart, and add up to the total.
    const summary = run.stdout.match(
      /token requests at the authorization server: (\d+) — (\d+) device code redeemed, (\d+) refreshes, (\d+) polls while you approved/,
    );
    expect(summary, run.stdout).not.toBeNull();
    const [total, exchanges, refreshes, polls] = (summary ?? []).slice(1).map(Number);
    expect(exchanges).toBe(1);
    expect(refreshes).toBeGreaterThanOrEqual(0);
    expect(polls).toBeGreaterThanOrEqual(0);
    expect(exchanges! + refreshes! + polls!).toBe(total);
  });

  it('says what the code flow cost: one code exchange and the refreshes, no polls', () => {
    const run = runDemo(['--messages', '2', '--token-lifetime', '3', '--spacing', '1000']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /token requests at the authorization server: (\d+) — 1 code exchange, \d+ refreshes\n/,
    );
    expect(run.stdout).not.toContain('polls');
  });

  it('approves the device code without a person, as its --help documents', () => {
    const help = runDemo(['--help']).stdout;
    const documented = help.match(/BROWSER="([^"]+)" TEST_BROWSER_LOGIN=(\S+)/);
    expect(documented, help).not.toBeNull();
    const [, browser, login] = documented as RegExpMatchArray;
    const run = spawnSync(
      process.execPath,
      [main, '--device', '--browser', '--messages', '1', '--token-lifetime', '5', '--spacing', '500'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 90_000,
        env: {
          ...process.env,
          NO_COLOR: '1',
          BROWSER: browser as string,
          TEST_BROWSER_LOGIN: login as string,
        },
      },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('messages sent: 1 of 1, failed: 0');
  });

  it('explains itself with --help, run as the README says: pnpm demo', () => {
    // The root script, less its quiet build step: a build in the middle of the suite would
    // rewrite the dist/ files that other test files are running.
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: { demo: string };
    };
    const [build, command] = scripts.demo.split(' && ');
    expect(build).toBe('node scripts/build-quietly.mjs');
    const run = spawnSync('sh', ['-c', `${command} --help`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: pnpm demo');
  });
});
