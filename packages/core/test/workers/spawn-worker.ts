import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built package the workers import; `pnpm test` builds it before vitest runs. */
export const coreDist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/**
 * Fails with a clear message when core is not built: the workers run `dist/`, not the sources.
 * Building from a test instead would race with other test files reading `dist/`.
 */
export function requireBuiltCore(): void {
  if (!existsSync(coreDist))
    throw new Error(`${coreDist} is missing: build core first (pnpm build, or npx tsup in packages/core)`);
}

/** A worker process with line-by-line access to its output. */
export interface Worker {
  child: ChildProcess;
  pid: number;
  /** Every stdout line so far. */
  lines: string[];
  /** Every stderr line so far. */
  errors: string[];
  /** Resolves when a stdout line satisfies `test` (also one already seen); rejects when the worker exits first. */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once the process has exited and been reaped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the worker (SIGKILL unless told otherwise) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node <script> ...args` from `test/workers/`. */
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
    waitFor(test, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
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
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
      await exited;
    },
  };
}
