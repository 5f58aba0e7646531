import { AuthorizerError, OAUTH_STORE_CORRUPT, OAUTH_STORE_UNAVAILABLE } from '../errors.js';

/**
 * The system error code (`ENOSPC`, `EACCES`, …) of a failed file or socket call, if it has one.
 *
 * @example
 * ```ts
 * if (errnoOf(error) === 'ENOENT') return undefined;
 * ```
 */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A store that cannot be read or written: `what` says which file and what was being done; the
 * system error code (`EACCES`, `ENOSPC`) is appended, and the original error kept as `cause`.
 *
 * @example
 * ```ts
 * throw storeUnavailable(`could not write token file "${path}"`, error); // … (ENOSPC)
 * ```
 */
export function storeUnavailable(
  what: string,
  error?: unknown,
  options: { hint?: string } = {},
): AuthorizerError {
  const errno = errnoOf(error);
  return new AuthorizerError(OAUTH_STORE_UNAVAILABLE, `${what}${errno ? ` (${errno})` : ''}`, {
    ...(error !== undefined && { cause: error }),
    ...(options.hint !== undefined && { hint: options.hint }),
  });
}

/**
 * The hint of a write that failed for want of space (`ENOSPC`, `EDQUOT`), for
 * {@link storeUnavailable}'s options; none for other failures.
 *
 * @example
 * ```ts
 * storeUnavailable(`could not write token file "${path}"`, error, spaceHint(error, directory));
 * ```
 */
export function spaceHint(error: unknown, directory: string): { hint?: string } {
  const code = errnoOf(error);
  return code === 'ENOSPC' || code === 'EDQUOT'
    ? { hint: `free some space on the disk that holds "${directory}", then try again` }
    : {};
}

/**
 * The hint of a corrupt record: what a person does, in words any program can show. Core names no
 * command (a service using the token manager may have no CLI); a CLI adds its own where it prints.
 *
 * @example
 * ```ts
 * if (error.hint?.endsWith('authorize the account again')) console.error(`${error.hint}: my-cli login ${account}`);
 * ```
 */
export const AUTHORIZE_AGAIN_HINT = 'inspect or move the file away, then authorize the account again';

/**
 * A token file that does not hold a record. The message names the file and what is wrong with it,
 * never its content (which would be tokens).
 *
 * @example
 * ```ts
 * throw storeCorrupt(path, 'not valid JSON (120 characters)');
 * ```
 */
export function storeCorrupt(path: string, problem: string): AuthorizerError {
  return new AuthorizerError(OAUTH_STORE_CORRUPT, `token file "${path}" is corrupt: ${problem}`, {
    hint: AUTHORIZE_AGAIN_HINT,
  });
}

/**
 * Quotes a value (an account name, a path) for a command line shown to a person, as a POSIX shell
 * reads it: the one rule of every package's hints (the CLI's included).
 *
 * @example
 * ```ts
 * shellQuote("bob's mail"); // 'bob'\''s mail'
 * ```
 */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
