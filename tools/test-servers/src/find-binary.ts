import { execFileSync } from 'node:child_process';

/**
 * The first of `candidates` that runs with `--version`, or an error saying how to install it: a
 * missing server binary must never look like a passing test.
 *
 * @param missing The message of the error when none runs (what is missing, and the install command).
 * @throws {Error} with `missing` when none of `candidates` runs.
 * @example
 * ```ts
 * const binary = findBinary(['/usr/bin/redis-server'], 'redis-server was not found: apt-get install -y redis-server');
 * ```
 */
export function findBinary(candidates: readonly string[], missing: string): string {
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next location
    }
  }
  throw new Error(missing);
}
