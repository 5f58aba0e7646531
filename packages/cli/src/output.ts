import {
  AuthorizerError,
  OAUTH_AUTHORIZATION_DENIED,
  OAuthResponseError,
  redact,
} from '@oauth-authorizer/core';
import { hintWithCommand } from './errors.js';
import { EXIT_NETWORK, exitCodeFor } from './exit-codes.js';
import { escapeControlCharacters } from './terminal-text.js';

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

/** How many causes `--debug` shows, at most. */
const MAX_CAUSES = 8;

/**
 * What a command prints. stdout carries only the data asked for (a token, a table, JSON);
 * progress, prompts, warnings and errors go to stderr. Every line written to stderr passes
 * through {@link Output.redact}, a last guard against a token reaching a log. Everything written
 * has its control characters escaped (see `escapeControlCharacters`): much of it comes from
 * servers, which must not drive the terminal.
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
  #account: string | undefined;

  constructor(streams: TerminalStreams, env: Readonly<Record<string, string | undefined>>) {
    this.streams = streams;
    this.style = colorEnabled(streams.stdout, env) ? ANSI_STYLES : PLAIN_STYLES;
    this.errorStyle = colorEnabled(streams.stderr, env) ? ANSI_STYLES : PLAIN_STYLES;
  }

  /** Registers values (tokens, a client secret) that must never appear on stderr. */
  addSecrets(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.length >= MIN_REDACTED_LENGTH) this.#secrets.add(value);
  }

  /**
   * Names the account the command works on, so that a hint of core's or a store's that says
   * "authorize the account again" is printed with the command for it (see {@link hintFor}).
   */
  useAccount(account: string): void {
    this.#account = account;
  }

  /**
   * `text` with every registered secret replaced by `[redacted]`, in each form a server may echo
   * it in (core's `redact`: raw, URL-, form- and base64-encoded).
   */
  redact(text: string): string {
    return redact(text, ...this.#secrets);
  }

  /** Writes lines of requested data to stdout. */
  data(text: string): void {
    this.#write(this.streams.stdout, this.style, text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a value as JSON to stdout. */
  json(value: unknown): void {
    // JSON.stringify escapes C0 controls in strings, not DEL and C1: those are escaped the JSON way.
    const text = JSON.stringify(value, null, 2).replace(
      /[\u007f-\u009f]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    this.streams.stdout.write(`${text}\n`);
  }

  /** Writes a line of progress or information to stderr. */
  info(text: string): void {
    this.#write(this.streams.stderr, this.errorStyle, `${this.redact(text)}\n`);
  }

  /** Writes a warning line to stderr. */
  warn(text: string): void {
    this.#write(
      this.streams.stderr,
      this.errorStyle,
      `${this.errorStyle.yellow('warning:')} ${this.redact(text)}\n`,
    );
  }

  /** Writes `text` with its control characters escaped; the CLI's own colours stay when they are on. */
  #write(stream: NodeJS.WritableStream, style: Styles, text: string): void {
    stream.write(escapeControlCharacters(text, { keepOwnStyles: style === ANSI_STYLES }));
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
    const hint = hintFor(error, options.phase, this.#account);
    if (error instanceof OAuthResponseError && error.errorUri)
      lines.push(`${s.dim('see:')} ${error.errorUri}`);
    for (const line of [options.providerHint, hint]) if (line) lines.push(`${s.dim('hint:')} ${line}`);
    if (options.debug) {
      if (error instanceof AuthorizerError) lines.push(s.dim(`code: ${error.code}`));
      lines.push(s.dim(error instanceof Error ? (error.stack ?? error.message) : String(error)));
      const seen = new Set<unknown>([error]);
      let current = error instanceof Error ? error.cause : undefined;
      for (let depth = 0; current !== undefined && !seen.has(current); depth++) {
        if (depth === MAX_CAUSES) {
          lines.push(s.dim('cause: … (more causes left out)'));
          break;
        }
        seen.add(current);
        lines.push(s.dim(`cause: ${describeCause(current).replace(/\s*\n\s*/g, ' ')}`));
        current =
          typeof current === 'object' && current !== null
            ? (current as { cause?: unknown }).cause
            : undefined;
      }
    }
    this.#write(this.streams.stderr, s, `${this.redact(lines.join('\n'))}\n`);
  }
}

/**
 * One line for a cause: its name, code and message (`TypeError ECONNREFUSED: connect
 * ECONNREFUSED 127.0.0.1:9`), for an Error or a plain object with such fields alike; other
 * values as JSON.
 */
function describeCause(cause: unknown): string {
  if (typeof cause !== 'object' || cause === null) return typeof cause === 'string' ? cause : String(cause);
  const { name, code, message, cause: _next, ...rest } = cause as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  const label = [text(name) ?? (cause instanceof Error ? 'Error' : undefined), text(code)]
    .filter((part) => part !== undefined)
    .join(' ');
  let detail = text(message);
  if (detail === undefined && Object.keys(rest).length > 0) {
    try {
      detail = JSON.stringify(rest);
    } catch {
      detail = '(fields that cannot be shown)';
    }
  }
  if (detail === undefined) return label === '' ? '(an empty object)' : label;
  return label === '' ? detail : `${label}: ${detail}`;
}

/**
 * The hint line {@link Output.error} shows for an error: its own, else one for its kind. Core and
 * the stores name no command, so where their hint says to authorize the account again, the CLI's
 * command for `account` is added.
 *
 * @example
 * ```ts
 * hintFor(deniedError, 'authorize'); // 'you or an admin declined the access; run authorize again and allow it'
 * hintFor(authorizationRequired, 'refresh', 'kim'); // 'run: oauth-authorizer authorize kim'
 * ```
 */
export function hintFor(
  error: unknown,
  phase?: 'authorize' | 'refresh',
  account?: string,
): string | undefined {
  if (!(error instanceof AuthorizerError)) return undefined;
  return hintWithCommand(error.hint ?? defaultHint(error, phase), account);
}

/**
 * The hint for an error that brings none: what a person does about a refusal, a client the
 * provider does not know, or a network failure.
 */
function defaultHint(error: AuthorizerError, phase: 'authorize' | 'refresh' | undefined): string | undefined {
  const oauthError = error instanceof OAuthResponseError ? error.error : undefined;
  if (error.code === OAUTH_AUTHORIZATION_DENIED || oauthError === 'access_denied')
    return 'you or an admin declined the access; run authorize again and allow it';
  if (oauthError === 'invalid_client')
    return 'the provider does not accept the client: check the client ID, its type (a public client sends no secret, a confidential one needs its secret) and the tenant it is registered in';
  if (exitCodeFor(error, phase) === EXIT_NETWORK)
    return 'check the network connection and the provider, then try again';
  return undefined;
}
