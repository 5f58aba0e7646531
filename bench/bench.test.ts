import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Figure {
  suite: string;
  name: string;
  value: number;
  ok: boolean;
  target?: { op: string; value: number };
  /** mail-memory: the error code the client ended with, and the one it must end with. */
  error?: string;
  expectedError?: string;
}

// Checks that the harness works end to end (`pnpm bench --quick`). Speed targets are judged by
// `pnpm bench` itself, never by a timed test; counts that are correctness (one refresh, no failed
// send, install footprint) must hold even in the quick run.
it('pnpm bench --quick measures every suite and writes its figures', () => {
  const run = spawnSync(process.execPath, ['bench/run.mjs', '--quick'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(run.stdout).toMatch(/figure\s+measured\s+target/);
  const { figures, quick } = JSON.parse(readFileSync(`${root}bench/results.quick.json`, 'utf8')) as {
    figures: Figure[];
    quick: boolean;
  };
  expect(quick).toBe(true);
  const suites = new Set(figures.map((f) => f.suite));
  expect([...suites].sort()).toEqual([
    'cached-token',
    'cli-hot-path',
    'install-footprint',
    'mail-memory',
    'mail-proxy',
    'refresh-coalescing',
    'smtp-expiring-tokens',
  ]);
  for (const f of figures) expect(Number.isFinite(f.value), `${f.suite}: ${f.name}`).toBe(true);
  const correctness = figures.filter((f) =>
    /token requests|failed sends|packages installed|refreshes/.test(f.name),
  );
  expect(correctness.length).toBeGreaterThanOrEqual(7);
  for (const f of correctness) expect(f.ok, `${f.name} = ${f.value}`).toBe(true);
  // Against a hostile server each mail client must stop with its typed error, in the quick run too.
  const hostile = figures.filter((f) => f.suite === 'mail-memory' && f.target);
  expect(hostile.length).toBe(5);
  for (const f of hostile) expect(f.error, f.name).toBe(f.expectedError);
}, 300_000);
