/**
 * Error codes the CLI adds to core's and the presets'. Every one is thrown as core's
 * `AuthorizerError`, so a program that runs `main()` branches on `code` as it does for core.
 *
 * @module
 */
import { AuthorizerError, shellQuote } from '@oauth-authorizer/core';

/** A bad command line: an unknown command or flag, a missing or extra argument, a malformed value. */
export const CLI_USAGE = 'CLI_USAGE';
/** Values needed to authorize are missing and cannot be asked for, because stdin is not a terminal. */
export const CLI_MISSING_VALUES = 'CLI_MISSING_VALUES';
/** No account of that name is stored under the home directory. */
export const CLI_UNKNOWN_ACCOUNT = 'CLI_UNKNOWN_ACCOUNT';
/** The account's client needs a secret that was not stored and is not in `OAUTH_AUTHORIZER_CLIENT_SECRET`. */
export const CLI_CLIENT_SECRET_MISSING = 'CLI_CLIENT_SECRET_MISSING';
/** The settings kept with an account cannot be read (written by another program, or edited by hand). */
export const CLI_ACCOUNT_SETTINGS_INVALID = 'CLI_ACCOUNT_SETTINGS_INVALID';
/** The authorization did not finish within `--timeout`. */
export const CLI_AUTHORIZATION_TIMEOUT = 'CLI_AUTHORIZATION_TIMEOUT';
/** The user interrupted the command (Ctrl-C, or end of input at a prompt). */
export const CLI_INTERRUPTED = 'CLI_INTERRUPTED';
/** The self-signed certificate of an https loopback redirect could not be made (openssl missing or failing). */
export const CLI_CERTIFICATE_FAILED = 'CLI_CERTIFICATE_FAILED';
/** The settings file (`config.json` under the home directory) cannot be read or has a wrong value. */
export const CLI_SETTINGS_INVALID = 'CLI_SETTINGS_INVALID';
/** The OS keyring cannot be reached: no Secret Service (no D-Bus session) on Linux, no keychain. */
export const CLI_KEYRING_UNAVAILABLE = 'CLI_KEYRING_UNAVAILABLE';
/** The OS keyring is locked and was not unlocked (the unlock prompt was dismissed or cannot be shown). */
export const CLI_KEYRING_LOCKED = 'CLI_KEYRING_LOCKED';
/** A keyring account's secrets are not in the OS keyring (deleted there, or another keyring). */
export const CLI_KEYRING_ENTRY_MISSING = 'CLI_KEYRING_ENTRY_MISSING';
/** The OS keyring refused an operation for another reason. */
export const CLI_KEYRING_FAILED = 'CLI_KEYRING_FAILED';

/** Every code the CLI defines itself. */
export type CliErrorCode =
  | typeof CLI_USAGE
  | typeof CLI_MISSING_VALUES
  | typeof CLI_UNKNOWN_ACCOUNT
  | typeof CLI_CLIENT_SECRET_MISSING
  | typeof CLI_ACCOUNT_SETTINGS_INVALID
  | typeof CLI_AUTHORIZATION_TIMEOUT
  | typeof CLI_INTERRUPTED
  | typeof CLI_CERTIFICATE_FAILED
  | typeof CLI_SETTINGS_INVALID
  | typeof CLI_KEYRING_UNAVAILABLE
  | typeof CLI_KEYRING_LOCKED
  | typeof CLI_KEYRING_ENTRY_MISSING
  | typeof CLI_KEYRING_FAILED;

/**
 * Makes a CLI error: one line for the user and, where it helps, a hint on how to fix it.
 *
 * @example
 * ```ts
 * throw cliError(CLI_UNKNOWN_ACCOUNT, 'there is no account "work"', { hint: 'run: oauth-authorizer accounts' });
 * ```
 */
export function cliError(
  code: CliErrorCode,
  message: string,
  options: { hint?: string | undefined; cause?: unknown } = {},
): AuthorizerError {
  return new AuthorizerError(code, message, {
    ...(options.hint !== undefined && { hint: options.hint }),
    ...(options.cause !== undefined && { cause: options.cause }),
  });
}

/**
 * A usage error whose hint points at the command's `--help`.
 *
 * @example
 * ```ts
 * throw usageError('token: give the account name', 'token');
 * ```
 */
export function usageError(message: string, command?: string): AuthorizerError {
  return cliError(CLI_USAGE, message, {
    hint: `see: oauth-authorizer ${command ? `${command} ` : ''}--help`,
  });
}

/** Core's rule for quoting a value in a command line shown to a person. */
export { shellQuote };

/** How core's and the stores' hints end when only a new authorization helps. */
const AUTHORIZE_AGAIN = /authorize the account again$/;
/** The whole hint of core's token manager in that case: the CLI replaces it by its command. */
const ONLY_AUTHORIZE_AGAIN = 'authorize the account again';

/**
 * A hint as the CLI prints it: core and the stores say "authorize the account again" without
 * naming a command (a service using them may have no CLI), and the CLI adds its own — as the
 * whole hint where that is all they said.
 *
 * @param account The account the command works on, when it knows it.
 * @example
 * ```ts
 * hintWithCommand('inspect or move the file away, then authorize the account again', 'me@example.com');
 * // 'inspect or move the file away, then authorize the account again: oauth-authorizer authorize me@example.com'
 * hintWithCommand('authorize the account again', 'kim'); // 'run: oauth-authorizer authorize kim'
 * ```
 */
export function hintWithCommand(hint: string | undefined, account: string | undefined): string | undefined {
  if (hint === undefined || !AUTHORIZE_AGAIN.test(hint)) return hint;
  const command = `oauth-authorizer authorize ${account === undefined ? '<account>' : shellQuote(account)}`;
  return hint === ONLY_AUTHORIZE_AGAIN ? `run: ${command}` : `${hint}: ${command}`;
}
