import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const builds = [
  fileURLToPath(new URL('../../dist/index.js', import.meta.url)),
  fileURLToPath(new URL('../../../core/dist/index.js', import.meta.url)),
];

/**
 * Fails with a clear message when core or this package is not built: workers run `dist/`, not the
 * sources (`pnpm test` builds first; by hand: `npx tsup` in packages/core and packages/store-redis).
 */
export function requireBuiltPackages(): void {
  for (const path of builds) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run pnpm build (or npx tsup in its package)`);
  }
}

/** A worker process with line-by-line access to its output. */
export interface Worker {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** Every stderr line so far. */
  errors: string[];
  /** Resolves with the first stdout line (seen already or later) that passes `test`; rejects if the worker exits first. */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Writes one line to the worker's stdin. */
  send(line: string): void;
  /** Resolves once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the worker (SIGKILL unless told otherwise) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node test/workers/<script> ...args`. */
export function startWorker(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Worker {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [path, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
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
    lines,
    errors,
    exited,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    waitFor(test, timeoutMs = 20_000) {
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
            finish(() => reject(new Error(`worker ${script} exited first; stderr: ${errors.join('\n')}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`worker ${script}: no such line within ${timeoutMs} ms`))),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!done) {
        child.kill('SIGCONT');
        child.kill(signal);
      }
      await exited;
    },
  };
}
