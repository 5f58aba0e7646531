// Small helpers shared by the benchmarks: timing, medians, the results table.
import { spawnSync } from 'node:child_process';

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall time of one run of a command, in milliseconds; throws when it fails. */
export function timeCommand(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  }
  return { ms, stdout: result.stdout };
}

/**
 * One figure of the suite. `target` is `{ op: '<=' | '>=' | '==', value }`; `ok` says whether the
 * figure meets it.
 */
export function figure(name, value, unit, target, details = {}) {
  const ok =
    target === undefined ||
    (target.op === '<='
      ? value <= target.value
      : target.op === '>='
        ? value >= target.value
        : value === target.value);
  return { name, value, unit, target, ok, ...details };
}

function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toFixed(3)).toString();
}

/** Prints the figures as a table, each next to its target. */
export function printTable(figures) {
  const rows = figures.map((f) => [
    f.ok ? 'ok  ' : 'MISS',
    f.name,
    `${formatNumber(f.value)} ${f.unit}`.trim(),
    f.target ? `${f.target.op} ${formatNumber(f.target.value)}` : '',
  ]);
  const widths = [4, 0, 0, 0].map((w, i) => Math.max(w, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(line(['', 'figure', 'measured', 'target']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
