// `pnpm bench [--quick]`: every benchmark of the suite, each figure as a median over repeated
// runs, printed next to its target and written to bench/results.json. Exits 1 when a target is
// missed, so the suite guards against regressions. `--quick` runs a smaller version (used by the
// test suite to check the harness itself).
import { writeFileSync } from 'node:fs';
import { printTable } from './lib.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
// Loaded one at a time, when run: the CLI figure must not share the process with test servers.
const suites = {
  'cli-hot-path': async (options) => (await import('./cli-hot-path.mjs')).cliHotPath(options),
  'cached-token': async (options) => (await import('./cached-token.mjs')).cachedToken(options),
  'refresh-coalescing': async (options) =>
    (await import('./refresh-coalescing.mjs')).refreshCoalescing(options),
  'smtp-expiring-tokens': async (options) =>
    (await import('./smtp-expiring-tokens.mjs')).smtpExpiringTokens(options),
  'mail-memory': async (options) => (await import('./mail-memory.mjs')).mailMemory(options),
  'install-footprint': async (options) => (await import('./install-footprint.mjs')).installFootprint(options),
  'mail-proxy': async (options) => (await import('./mail-proxy.mjs')).mailProxy(options),
};

const figures = [];
for (const [name, run] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}…\n`);
  try {
    for (const f of await run({ quick })) figures.push({ suite: name, ...f });
  } catch (error) {
    figures.push({
      suite: name,
      name: `${name} failed: ${error.message}`,
      value: Number.NaN,
      unit: '',
      ok: false,
    });
  }
}
printTable(figures);
const output = new URL(quick ? './results.quick.json' : './results.json', import.meta.url);
writeFileSync(
  output,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, figures }, null, 2)}\n`,
);
const missed = figures.filter((f) => !f.ok);
console.log(missed.length === 0 ? 'bench: every target met' : `bench: ${missed.length} target(s) missed`);
process.exitCode = missed.length === 0 ? 0 : 1;
