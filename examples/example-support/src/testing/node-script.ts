/**
 * A Node.js script run in its own process the way the examples' tests need it: a clean
 * environment, its output collected, and killed when it outlives its time.
 *
 * @module
 */
import { spawn } from 'node:child_process';

/** What a run of a script left behind. */
export interface ScriptRun {
  /** The exit code; `null` when a signal ended the script. */
  status: number | null;
  /** What it printed; empty when stdout was ignored. */
  stdout: string;
  stderr: string;
}

/** Options of {@link runNodeScript}. */
export interface NodeScriptOptions {
  /** The whole environment of the script: nothing of the test's own is passed on. */
  env: Record<string, string>;
  /** The working directory. Default: the test's */
  cwd?: string;
  /** `ignore` for a script whose stdout shows tokens, which must not reach test output. */
  stdout: 'pipe' | 'ignore';
  /** How long it may run before it is killed and the run rejected, in ms. */
  timeout: number;
}

/**
 * Runs `node <script> …args` and resolves with its exit status and output once it ends; rejects
 * (with the stderr so far) when it has not ended within `timeout`. Asynchronous on purpose: the
 * servers a script talks to may run in the test's own process.
 *
 * @example
 * ```ts
 * const run = await runNodeScript(main, [], { env: { PATH: process.env.PATH ?? '' }, stdout: 'pipe', timeout: 30_000 });
 * ```
 */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: NodeScriptOptions,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: options.env,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      stdio: ['ignore', options.stdout, 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Never outlive the test: a program waiting on a server that went wrong could wait for minutes.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not end within ${options.timeout} ms; stderr so far:\n${stderr}`));
    }, options.timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
