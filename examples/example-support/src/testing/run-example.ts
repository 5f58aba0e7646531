/**
 * The built program of an example, run as a user runs it: in its own process, with nothing but
 * the environment the test gives it, and what it printed checked for tokens.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenSet } from '@oauth-authorizer/core';
import type { ExampleHome } from './example-home.js';
import { runNodeScript, type ScriptRun } from './node-script.js';

/**
 * What a run of the program left behind.
 *
 * @example
 * ```ts
 * const run: ExampleRun = await runExample(main, home, env);
 * expect(run.stderr).toContain('[OAUTH_TOKEN_REJECTED]');
 * ```
 */
export type ExampleRun = ScriptRun;

/**
 * The built program of the example whose `test/` directory `testUrl` is in.
 *
 * @throws {Error} When `dist/main.js` is missing: the test would otherwise run nothing.
 * @example
 * ```ts
 * const main = builtProgram(import.meta.url);
 * ```
 */
export function builtProgram(testUrl: string): string {
  const main = fileURLToPath(new URL('../dist/main.js', testUrl));
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  return main;
}

/**
 * Runs the built program with only the given environment (plus `PATH`, and `HOME` pointing into
 * the test's home so nothing falls back to the real user's configuration). Asynchronous on
 * purpose: the servers it talks to run in this process.
 *
 * @param timeout How long the program may run before it is killed and the run rejected, in ms.
 *   Default: 30 000
 * @example
 * ```ts
 * const run = await runExample(main, home, { OAUTH_AUTHORIZER_HOME: home.directory, ACCOUNT: login });
 * expect(run.status).toBe(0);
 * ```
 */
export function runExample(
  main: string,
  home: ExampleHome,
  env: Record<string, string>,
  timeout = 30_000,
): Promise<ExampleRun> {
  return runNodeScript(main, [], {
    env: { PATH: process.env.PATH ?? '', HOME: home.directory, ...env },
    cwd: dirname(dirname(main)),
    stdout: 'pipe',
    timeout,
  });
}

/**
 * The tokens of `sets` that appear in `text`, by kind (never the tokens themselves, to keep them
 * out of test reports).
 *
 * @example
 * ```ts
 * expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
 * ```
 */
export function leakedTokens(text: string, sets: readonly TokenSet[]): string[] {
  const leaks: string[] = [];
  for (const [index, tokens] of sets.entries()) {
    if (text.includes(tokens.accessToken)) leaks.push(`access token #${index}`);
    if (tokens.refreshToken && text.includes(tokens.refreshToken)) leaks.push(`refresh token #${index}`);
  }
  return leaks;
}
