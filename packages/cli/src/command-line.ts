import { type ParseArgsConfig, parseArgs } from 'node:util';
import { encodeAccountName } from '@oauth-authorizer/core/cached-access-token';
import { usageError } from './errors.js';
import { didYouMean } from './suggestions.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies OptionsConfig;

/** What a command line parsed into. */
export interface ParsedCommandLine<T extends OptionsConfig> {
  values: ReturnType<
    typeof parseArgs<{ options: T & typeof COMMON_OPTIONS; allowPositionals: true }>
  >['values'];
  positionals: string[];
}

/**
 * Parses a command's arguments strictly with `node:util`'s `parseArgs`: an unknown flag, a flag
 * without its value or a value for a flag that takes none is a usage error (exit code 2) that
 * names the flag.
 *
 * @throws {AuthorizerError} `CLI_USAGE`.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandLine('token', ['me', '--json'], { json: { type: 'boolean' } }, { max: 1 });
 * ```
 */
export function parseCommandLine<T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
  positionals: { max: number },
): ParsedCommandLine<T> {
  let parsed: ReturnType<typeof parseArgs>;
  const known: OptionsConfig = { ...COMMON_OPTIONS, ...options };
  try {
    parsed = parseArgs({ args: [...args], options: known, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(describeParseError(error, command, known), command);
  }
  if (!parsed.values.help && parsed.positionals.length > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).map((value) => `"${value}"`);
    throw usageError(`${command}: unexpected argument ${extra.join(', ')}`, command);
  }
  return parsed as unknown as ParsedCommandLine<T>;
}

function describeParseError(error: unknown, command: string, known: OptionsConfig): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${command}: unknown option ${option ?? message}${option ? didYouMean(option, flagsOf(known)) : ''}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? `${command}: option ${option ?? ''} needs a value`
        : `${command}: option ${option ?? ''} does not take a value`;
    default:
      return `${command}: ${message}`;
  }
}

/** Every flag of an options config: `--name`, and `-x` for a short one. */
function flagsOf(options: OptionsConfig): string[] {
  return Object.entries(options).flatMap(([name, option]) => [
    `--${name}`,
    ...(option.short ? [`-${option.short}`] : []),
  ]);
}

/**
 * Reads a whole number of seconds from a flag.
 *
 * @throws {AuthorizerError} `CLI_USAGE` naming the flag and what it got.
 *
 * @example
 * ```ts
 * parseSeconds('token', '--min-validity', '300'); // 300
 * ```
 */
export function parseSeconds(
  command: string,
  flag: string,
  value: string | undefined,
  { min = 0 }: { min?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < min)
    throw usageError(
      `${command}: ${flag} must be a whole number of seconds${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`,
      command,
    );
  return Number(value);
}

/**
 * Splits repeated values that may also be space- or comma-separated (`--scope "a b" --scope c`).
 *
 * @example
 * ```ts
 * splitList(['openid offline_access', 'mail']); // ['openid', 'offline_access', 'mail']
 * ```
 */
export function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return [...new Set(values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== ''))];
}

/**
 * Reads `key=value` pairs (`--param prompt=consent`).
 *
 * @throws {AuthorizerError} `CLI_USAGE` for a pair without `=` or with an empty key.
 *
 * @example
 * ```ts
 * parsePairs('authorize', '--param', ['prompt=consent']); // { prompt: 'consent' }
 * ```
 */
export function parsePairs(
  command: string,
  flag: string,
  values: readonly string[] | undefined,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values ?? []) {
    const index = value.indexOf('=');
    if (index <= 0) throw usageError(`${command}: ${flag} takes key=value, got "${value}"`, command);
    pairs[value.slice(0, index)] = value.slice(index + 1);
  }
  return pairs;
}

/**
 * Checks an account name: what the token store accepts (no control characters, not empty).
 *
 * @throws {AuthorizerError} `CLI_USAGE`.
 *
 * @example
 * ```ts
 * const account = requireAccount('token', positionals[0]);
 * ```
 */
export function requireAccount(command: string, account: string | undefined): string {
  if (account === undefined || account === '')
    throw usageError(
      `${command}: give the account name, e.g. oauth-authorizer ${command} me@example.com`,
      command,
    );
  if (/[\u0000-\u001f\u007f]/.test(account))
    throw usageError(`${command}: the account name has control characters`, command);
  // The token file is named after the account: keep within what core's file store accepts.
  try {
    encodeAccountName(account);
  } catch {
    throw usageError(`${command}: the account name is too long for a file name`, command);
  }
  return account;
}
