/**
 * Runs a command in a pseudo-terminal, as a person at a terminal would: its stdin, stdout and
 * stderr are a TTY. util-linux `script` (which CI installs) relays what the test writes to the
 * terminal and what the command prints back, and exits with the command's exit code.
 */
import { spawn } from 'node:child_process';

/** Quotes one argument for the `sh -c` line that `script` runs. */
function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command running in a pseudo-terminal. */
export interface TerminalSession {
  /** Types `text` (send `\r` for Enter). */
  type(text: string): void;
  /** Resolves once everything printed so far (ANSI sequences removed) matches `pattern`. */
  waitFor(pattern: RegExp, timeout?: number): Promise<void>;
  /** What the terminal showed so far, ANSI sequences removed. */
  transcript(): string;
  /** What the terminal showed so far, as the command wrote it. */
  raw(): string;
  exited: Promise<number | null>;
  kill(): void;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Starts `command` in a pseudo-terminal with `env`. */
export function startInTerminal(
  command: readonly string[],
  env: Record<string, string>,
  timeout = 60_000,
): TerminalSession {
  const child = spawn('script', ['-qfec', command.map(shellWord).join(' '), '/dev/null'], {
    env,
    stdio: 'pipe',
  });
  let output = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher();
      resolve(code);
    });
  });
  const transcript = () => output.replace(ANSI, '');
  return {
    type: (text) => child.stdin.write(text),
    transcript,
    raw: () => output,
    exited,
    kill: () => child.kill('SIGKILL'),
    waitFor(pattern, wait = 20_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`the terminal did not show ${pattern} within ${wait} ms:\n${transcript()}`));
        }, wait);
        const check = () => {
          if (pattern.test(transcript())) {
            clearTimeout(deadline);
            watchers.delete(check);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(deadline);
            watchers.delete(check);
            reject(new Error(`the command ended before the terminal showed ${pattern}:\n${transcript()}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}
