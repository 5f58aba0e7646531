/**
 * The `oauth-authorizer` command line as a function, for programs and tests that run it in
 * process, with its exit codes and error codes.
 *
 * @example
 * ```ts
 * import { EXIT_AUTHORIZATION_REQUIRED, main } from '@oauth-authorizer/cli';
 *
 * const code = await main(['token', 'me@example.com']);
 * if (code === EXIT_AUTHORIZATION_REQUIRED) console.error('authorize the account first');
 * ```
 *
 * @module
 */
export type { AccountSettings, ClientSecretSource } from './account-settings.js';
export { CLIENT_SECRET_VARIABLE } from './account-settings.js';
export type { CliErrorCode } from './errors.js';
export {
  CLI_ACCOUNT_SETTINGS_INVALID,
  CLI_AUTHORIZATION_TIMEOUT,
  CLI_CERTIFICATE_FAILED,
  CLI_CLIENT_SECRET_MISSING,
  CLI_INTERRUPTED,
  CLI_MISSING_VALUES,
  CLI_UNKNOWN_ACCOUNT,
  CLI_USAGE,
} from './errors.js';
export {
  EXIT_AUTHORIZATION_REQUIRED,
  EXIT_FAILURE,
  EXIT_NETWORK,
  EXIT_NOT_COMPLETED,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeFor,
} from './exit-codes.js';
export { accountsDirectory, HOME_VARIABLE, resolveHome } from './home.js';
export type { MainOptions } from './main.js';
export { CLI_VERSION, main } from './main.js';
export type { TerminalStreams } from './output.js';
export { escapeControlCharacters } from './terminal-text.js';
