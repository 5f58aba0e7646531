/**
 * Runs the built `oauth-authorizer` (dist/bin.js) as a user does: a separate process with its own
 * `$OAUTH_AUTHORIZER_HOME`, no colour, and `$BROWSER` pointing at the test servers' stand-in for a
 * person at a browser.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The executable under test. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** `$BROWSER` for tests: signs in and consents (or denies, with `TEST_BROWSER_DENY=1`), or approves a device code. */
export const TEST_BROWSER = `${process.execPath} ${fileURLToPath(
  new URL('../../../tools/test-servers/dist/browser.js', import.meta.url),
)}`;

/** What a finished run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli} and {@link startCli}. */
export interface CliOptions {
  /** The CLI's home directory (`$OAUTH_AUTHORIZER_HOME`). */
  home: string;
  /** More environment variables; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Killed after this many ms. Default: 30 000 */
  timeout?: number;
  /** The working directory. Default: the test's */
  cwd?: string;
}

function environment(options: CliOptions): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    OAUTH_AUTHORIZER_HOME: options.home,
    NO_COLOR: '1',
    BROWSER: TEST_BROWSER,
    OAUTH_AUTHORIZER_CLIENT_SECRET: undefined,
    TEST_BROWSER_DENY: undefined,
    ...options.env,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** A running CLI process whose output can be awaited while it runs. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with stderr so far once it matches `pattern`. */
  waitForStderr(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process exits. */
  exited: Promise<CliResult>;
}

/** Starts the CLI; the caller must await `exited` (or kill the child). */
export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: environment(options),
    stdio: 'pipe',
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const watcher of watchers) watcher();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 30_000);
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher();
      resolve({ code, stdout, stderr });
    });
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  return {
    child,
    exited,
    waitForStderr(pattern, timeout = 20_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(`stderr did not match ${pattern} within ${timeout} ms; stderr so far:\n${stderr}`),
          );
        }, timeout);
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            clearTimeout(deadline);
            watchers.delete(check);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(deadline);
            watchers.delete(check);
            reject(new Error(`the CLI exited before stderr matched ${pattern}; stderr:\n${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, { input: '', ...options }).exited;
}
