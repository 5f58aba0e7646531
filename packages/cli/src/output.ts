import { AuthorizerError, OAuthResponseError } from '@oauth-authorizer/core';
import { EXIT_NETWORK, exitCodeFor } from './exit-codes.js';

/** The streams a command talks to: the process's own, or others in tests and programs. */
export interface TerminalStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** ANSI styles; each is the identity when colour is off. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain = (text: string) => text;
const PLAIN_STYLES: Styles = {
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
};

function ansi(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const ANSI_STYLES: Styles = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};

/**
 * Whether to colour what goes to `stream`: only on a terminal, never with `NO_COLOR` set to
 * anything but the empty string (no-color.org), never on a `dumb` terminal.
 *
 * @example
 * ```ts
 * colorEnabled(process.stderr, process.env); // false when piped or with NO_COLOR
 * ```
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Secrets shorter than this are not redacted: they would match ordinary words. */
const MIN_REDACTED_LENGTH = 8;

/**
 * What a command prints. stdout carries only the data asked for (a token, a table, JSON);
 * progress, prompts, warnings and errors go to stderr. Every line written to stderr passes
 * through {@link Output.redact}, a last guard against a token reaching a log.
 *
 * @example
 * ```ts
 * const output = new Output({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, process.env);
 * output.addSecrets(tokens.accessToken);
 * output.data(tokens.accessToken);
 * output.info('Refreshed.');
 * ```
 */
export class Output {
  readonly streams: TerminalStreams;
  /** Styles for stdout. */
  readonly style: Styles;
  /** Styles for stderr. */
  readonly errorStyle: Styles;
  readonly #secrets = new Set<string>();

  constructor(streams: TerminalStreams, env: Readonly<Record<string, string | undefined>>) {
    this.streams = streams;
    this.style = colorEnabled(streams.stdout, env) ? ANSI_STYLES : PLAIN_STYLES;
    this.errorStyle = colorEnabled(streams.stderr, env) ? ANSI_STYLES : PLAIN_STYLES;
  }

  /** Registers values (tokens, a client secret) that must never appear on stderr. */
  addSecrets(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.length >= MIN_REDACTED_LENGTH) this.#secrets.add(value);
  }

  /** `text` with every registered secret replaced by `[redacted]`. */
  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.split(secret).join('[redacted]');
    return result;
  }

  /** Writes lines of requested data to stdout. */
  data(text: string): void {
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a value as JSON to stdout. */
  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Writes a line of progress or information to stderr. */
  info(text: string): void {
    this.streams.stderr.write(`${this.redact(text)}\n`);
  }

  /** Writes a warning line to stderr. */
  warn(text: string): void {
    this.streams.stderr.write(`${this.errorStyle.yellow('warning:')} ${this.redact(text)}\n`);
  }

  /** Whether stderr is a terminal (for countdowns and QR codes). */
  get interactiveStderr(): boolean {
    return this.streams.stderr.isTTY === true;
  }

  /**
   * Reports an error: `oauth-authorizer: <what went wrong>` and a hint line; with `debug`, its
   * code, stack and causes. Provider error codes stay in the message; secrets never do.
   */
  error(
    error: unknown,
    options: { debug?: boolean; phase?: 'authorize' | 'refresh'; providerHint?: string | undefined } = {},
  ): void {
    const s = this.errorStyle;
    const lines: string[] = [];
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`${s.red(s.bold('oauth-authorizer:'))} ${message}`);
    const hint =
      error instanceof AuthorizerError ? (error.hint ?? defaultHint(error, options.phase)) : undefined;
    if (error instanceof OAuthResponseError && error.errorUri)
      lines.push(`${s.dim('see:')} ${error.errorUri}`);
    for (const line of [options.providerHint, hint]) if (line) lines.push(`${s.dim('hint:')} ${line}`);
    if (options.debug) {
      if (error instanceof AuthorizerError) lines.push(s.dim(`code: ${error.code}`));
      let current: unknown = error;
      for (let depth = 0; current instanceof Error && depth < 8; depth++) {
        lines.push(
          s.dim(
            depth === 0 ? (current.stack ?? current.message) : `cause: ${current.stack ?? current.message}`,
          ),
        );
        current = current.cause;
      }
      if (current !== undefined && !(current instanceof Error))
        lines.push(s.dim(`cause: ${String(current)}`));
    }
    this.streams.stderr.write(`${this.redact(lines.join('\n'))}\n`);
  }
}

function defaultHint(error: AuthorizerError, phase: 'authorize' | 'refresh' | undefined): string | undefined {
  if (exitCodeFor(error, phase) === EXIT_NETWORK)
    return 'check the network connection and the provider, then try again';
  return undefined;
}
