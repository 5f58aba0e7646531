import { usageError } from './errors.js';

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Reads a duration flag: a whole number with a unit, `s`, `m`, `h`, `d` or `w` (`30d`, `12h`), or
 * several of them (`1d12h`). A bare number is seconds.
 *
 * @returns milliseconds, or `undefined` when the flag was not given.
 * @throws {AuthorizerError} `CLI_USAGE` naming the flag and what it got.
 *
 * @example
 * ```ts
 * parseDuration('refresh', '--older-than', '30d'); // 2_592_000_000
 * ```
 */
export function parseDuration(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  if (!/^(\d{1,6}[smhdw])+$/.test(text))
    throw usageError(
      `${command}: ${flag} must be a duration such as 30d, 12h, 90m or 1w, got "${value}"`,
      command,
    );
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g))
    total += Number(amount) * (UNITS[unit as string] as number);
  return total;
}

/**
 * A span of time for people, rounded to one unit: `45 s`, `12 min`, `5 h`, `3 days`.
 *
 * @example
 * ```ts
 * describeDuration(3 * 86_400_000); // '3 days'
 * ```
 */
export function describeDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/**
 * `in 5 h` or `3 days ago`.
 *
 * @example
 * ```ts
 * describeRelative(Date.now() - 60_000); // '60 s ago'
 * ```
 */
export function describeRelative(at: number, now: number = Date.now()): string {
  return at >= now ? `in ${describeDuration(at - now)}` : `${describeDuration(now - at)} ago`;
}
