/**
 * How an example ends when something goes wrong: one line saying what and why (with the error's
 * stable code), a hint line when there is one, and an exit code a script can branch on — the same
 * codes as `oauth-authorizer`. Every example imports it from here (`@oauth-authorizer/example-support`);
 * a program copied out of an example takes this file along with its `main.ts`.
 *
 * @module
 */
import { AuthorizerError, shellQuote } from '@oauth-authorizer/core';

/** Success. */
export const EXIT_OK = 0;
/** Anything not covered by another code. */
export const EXIT_FAILURE = 1;
/** A configuration error: a missing or invalid variable, an unknown preset, an invalid preset file. */
export const EXIT_CONFIGURATION = 2;
/** The account needs authorization (again): unknown account, refresh rejected, token rejected twice. */
export const EXIT_AUTHORIZATION_REQUIRED = 3;
/** A network or server error: timeout, refused connection, 5xx, a reply that breaks the protocol. */
export const EXIT_NETWORK = 4;

const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'EXAMPLE_SETTING_MISSING',
  'EXAMPLE_SETTING_INVALID',
  'OAUTH_INVALID_CONFIGURATION',
  'OAUTH_INSECURE_ENDPOINT',
  'OAUTH_DISCOVERY_FAILED',
  'MAIL_PEER_MISSING',
]);

const AUTHORIZATION_CODES: ReadonlySet<string> = new Set([
  'OAUTH_AUTHORIZATION_REQUIRED',
  'OAUTH_TOKEN_REJECTED',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_NETWORK_ERROR',
  'OAUTH_HTTP_ERROR',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_RESPONSE_TOO_LARGE',
  'OAUTH_LOCK_TIMEOUT',
  'MAIL_PROTOCOL_ERROR',
  'MAIL_TLS_UNAVAILABLE',
]);

/** Codes Node.js, nodemailer and imapflow give connection failures. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ETLS',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The exit code for an error: {@link EXIT_CONFIGURATION}, {@link EXIT_AUTHORIZATION_REQUIRED},
 * {@link EXIT_NETWORK} or {@link EXIT_FAILURE}.
 *
 * @example
 * ```ts
 * process.exitCode = exitCodeFor(error);
 * ```
 */
export function exitCodeFor(error: unknown): number {
  const code = codeOf(error);
  if (code !== undefined) {
    if (CONFIGURATION_CODES.has(code) || code.startsWith('PRESET_')) return EXIT_CONFIGURATION;
    if (AUTHORIZATION_CODES.has(code)) return EXIT_AUTHORIZATION_REQUIRED;
    if (NETWORK_CODES.has(code) || CONNECTION_CODES.has(code)) return EXIT_NETWORK;
  }
  if (error instanceof AuthorizerError && error.transient) return EXIT_NETWORK;
  return EXIT_FAILURE;
}

/** Options of {@link reportFailure}. */
export interface FailureReportOptions {
  /** Where the lines go. Default: stderr */
  write?: (text: string) => void;
  /**
   * The account the program used. The examples share the CLI's accounts, so an account that needs
   * authorization gets the command that does it (core's own hint names no command).
   */
  account?: string | undefined;
}

/**
 * Writes `<program>: <message> [<code>]` and, when the error has one, `hint: <hint>` to stderr,
 * and returns the exit code. Messages of this toolkit's errors never contain a token.
 *
 * @example
 * ```ts
 * main().catch((error: unknown) => { process.exitCode = reportFailure('send-mail', error, { account }); });
 * ```
 */
export function reportFailure(program: string, error: unknown, options: FailureReportOptions = {}): number {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  write(`${program}: ${message}${code === undefined ? '' : ` [${code}]`}\n`);
  const exitCode = exitCodeFor(error);
  if (exitCode === EXIT_AUTHORIZATION_REQUIRED && options.account !== undefined)
    write(`hint: run: oauth-authorizer authorize ${shellQuote(options.account)}\n`);
  else {
    const hint = (error as { hint?: unknown } | null | undefined)?.hint;
    if (typeof hint === 'string' && hint !== '') write(`hint: ${hint}\n`);
  }
  return exitCode;
}
