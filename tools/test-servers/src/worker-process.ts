import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Node process a test started, with line-by-line access to its output. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Every stdout line so far. */
  lines: string[];
  /** Every stderr line so far. */
  errors: string[];
  /**
   * Resolves with the first stdout line (seen already or later) that passes `test`; rejects when
   * the worker exits first, or after `timeoutMs` (Default: the worker's `lineTimeout`).
   */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Writes one line to the worker's stdin. */
  send(line: string): void;
  /** Resolves with the exit code (or signal) once the process has exited and been reaped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the worker (SIGKILL unless told otherwise), even one a test froze with SIGSTOP, and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  /** Added to this process's environment. Default: none */
  env?: NodeJS.ProcessEnv;
  /** How long `waitFor()` waits for a line when it is given no timeout, in ms. Default: 15 000 */
  lineTimeout?: number;
}

/**
 * Fails with a clear message when a package the workers import is not built: workers run `dist/`,
 * not the sources. Building from a test instead would race with other test files reading `dist/`.
 *
 * @param entries The built entry points, e.g. `new URL('../dist/index.js', import.meta.url)`.
 * @throws {Error} naming the first one missing.
 * @example
 * ```ts
 * beforeAll(() => requireBuilt(new URL('../dist/index.js', import.meta.url)));
 * ```
 */
export function requireBuilt(...entries: URL[]): void {
  for (const entry of entries) {
    const path = fileURLToPath(entry);
    if (!existsSync(path))
      throw new Error(`${path} is missing: run pnpm build (or npx tsup in its package) first`);
  }
}

/**
 * Starts `node <script> ...args` with piped stdio, and collects its stdout and stderr line by line
 * for the test to wait on (a channel to the test, not a log).
 *
 * @example
 * ```ts
 * const worker = startWorkerProcess(new URL('./workers/hold-lock.mjs', import.meta.url), [directory, account]);
 * await worker.waitFor((line) => line === 'locked');
 * worker.send('release');
 * await worker.exited;
 * ```
 */
export function startWorkerProcess(
  script: URL,
  args: readonly string[] = [],
  options: WorkerProcessOptions = {},
): WorkerProcess {
  const path = fileURLToPath(script);
  const name = basename(path);
  const lineTimeout = options.lineTimeout ?? 15_000;
  const child = spawn(process.execPath, [path, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const listeners = new Set<() => void>();
  let done = false;
  const split = (target: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      target.push(...parts);
      for (const listener of listeners) listener();
    };
  };
  child.stdout?.on('data', split(lines));
  child.stderr?.on('data', split(errors));
  // A worker killed while the test still writes to it must not fail the test with EPIPE.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid: child.pid as number,
    lines,
    errors,
    exited,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    waitFor(test, timeoutMs = lineTimeout) {
      return new Promise((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        const check = () => {
          const line = lines.find(test);
          if (line !== undefined) finish(() => resolve(line));
          else if (done)
            finish(() => reject(new Error(`worker ${name} exited first; stderr: ${errors.join('\n')}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`worker ${name}: no such line within ${timeoutMs} ms`))),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!done) {
        // A stopped process acts on any signal but SIGKILL only once it runs again.
        child.kill('SIGCONT');
        child.kill(signal);
      }
      await exited;
    },
  };
}
