/**
 * The exit codes of `oauth-authorizer`, and how errors map to them. Scripts and mail clients
 * branch on these, so they never change meaning.
 *
 * @module
 */
import {
  AuthorizerError,
  OAUTH_ABORTED,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_AUTHORIZATION_RESPONSE_ERROR,
  OAUTH_DEVICE_CODE_EXPIRED,
  OAUTH_DISCOVERY_FAILED,
  OAUTH_HTTP_ERROR,
  OAUTH_INSECURE_ENDPOINT,
  OAUTH_INVALID_AUTHORIZATION_RESPONSE,
  OAUTH_INVALID_CONFIGURATION,
  OAUTH_INVALID_RESPONSE,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_LISTENER_CLOSED,
  OAUTH_LISTENER_FAILED,
  OAUTH_LISTENER_TIMEOUT,
  OAUTH_LOCK_TIMEOUT,
  OAUTH_NETWORK_ERROR,
  OAUTH_RESPONSE_TOO_LARGE,
  OAUTH_STATE_MISMATCH,
  OAUTH_STORE_CORRUPT,
  OAUTH_TIMEOUT,
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  OAuthResponseError,
} from '@oauth-authorizer/core';
import {
  CLI_ACCOUNT_SETTINGS_INVALID,
  CLI_AUTHORIZATION_TIMEOUT,
  CLI_CLIENT_SECRET_MISSING,
  CLI_INTERRUPTED,
  CLI_KEYRING_ENTRY_MISSING,
  CLI_KEYRING_UNAVAILABLE,
  CLI_MISSING_VALUES,
  CLI_SETTINGS_INVALID,
  CLI_UNKNOWN_ACCOUNT,
  CLI_USAGE,
} from './errors.js';

/** Success. */
export const EXIT_OK = 0;
/** Anything not covered by another code (a store that cannot be written, an unexpected error). */
export const EXIT_FAILURE = 1;
/** A usage or configuration error: bad flag, unknown preset, invalid preset file, conflicting fixed field. */
export const EXIT_USAGE = 2;
/** The account needs authorization: unknown account, no refresh token, refresh rejected. */
export const EXIT_AUTHORIZATION_REQUIRED = 3;
/** A network or server error: timeout, refused connection, 5xx, malformed response. */
export const EXIT_NETWORK = 4;
/** The authorization did not complete: denied, device code expired, state mismatch, listener timeout. */
export const EXIT_NOT_COMPLETED = 5;

/** The codes that mean "the authorization did not complete". */
const NOT_COMPLETED: ReadonlySet<string> = new Set([
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_AUTHORIZATION_RESPONSE_ERROR,
  OAUTH_DEVICE_CODE_EXPIRED,
  OAUTH_STATE_MISMATCH,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_INVALID_AUTHORIZATION_RESPONSE,
  OAUTH_LISTENER_TIMEOUT,
  CLI_AUTHORIZATION_TIMEOUT,
  OAUTH_LISTENER_CLOSED,
]);

const USAGE: ReadonlySet<string> = new Set([
  CLI_USAGE,
  CLI_MISSING_VALUES,
  CLI_CLIENT_SECRET_MISSING,
  CLI_ACCOUNT_SETTINGS_INVALID,
  CLI_SETTINGS_INVALID,
  OAUTH_INVALID_CONFIGURATION,
  OAUTH_INSECURE_ENDPOINT,
  // No metadata at the issuer (a 404, another issuer): the issuer URL is wrong. A server that
  // cannot be reached is a transport error with its own code.
  OAUTH_DISCOVERY_FAILED,
  // The redirect URL names a port in use or an address that does not exist here.
  OAUTH_LISTENER_FAILED,
  // An account file that is not a valid record (hand-edited, truncated): configuration to fix.
  OAUTH_STORE_CORRUPT,
  // No OS keyring here: the account must use the file store, or the session must provide one.
  CLI_KEYRING_UNAVAILABLE,
]);

const NETWORK: ReadonlySet<string> = new Set([
  OAUTH_TIMEOUT,
  OAUTH_NETWORK_ERROR,
  OAUTH_HTTP_ERROR,
  OAUTH_INVALID_RESPONSE,
  // A token type the provider sends that the account was not set up to accept: the server's answer.
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  OAUTH_RESPONSE_TOO_LARGE,
  OAUTH_LOCK_TIMEOUT,
]);

/** OAuth errors at the token endpoint that mean the client's own configuration is wrong. */
const CLIENT_CONFIGURATION_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  'unsupported_grant_type',
]);

/** OAuth errors at the token endpoint that mean the grant is gone: authorize again. */
const GRANT_GONE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
]);

/**
 * The exit code for an error, by its stable `code` (never its message).
 *
 * @param error What the command threw.
 * @param phase `authorize` while a flow runs: a rejected authorization code there means the
 *   authorization did not complete (5), where during a refresh it means the account must be
 *   authorized again (3). Default: `refresh`
 *
 * @example
 * ```ts
 * process.exitCode = exitCodeFor(error); // e.g. 3 for OAUTH_AUTHORIZATION_REQUIRED
 * ```
 */
export function exitCodeFor(error: unknown, phase: 'authorize' | 'refresh' = 'refresh'): number {
  if (!(error instanceof AuthorizerError)) return EXIT_FAILURE;
  const { code } = error;
  if (
    code === OAUTH_AUTHORIZATION_REQUIRED ||
    code === CLI_UNKNOWN_ACCOUNT ||
    code === CLI_KEYRING_ENTRY_MISSING
  )
    return EXIT_AUTHORIZATION_REQUIRED;
  if (code.startsWith('PRESET_') || USAGE.has(code)) return EXIT_USAGE;
  if (NOT_COMPLETED.has(code)) return EXIT_NOT_COMPLETED;
  if (code === OAUTH_ABORTED || code === CLI_INTERRUPTED)
    return phase === 'authorize' ? EXIT_NOT_COMPLETED : EXIT_FAILURE;
  if (error instanceof OAuthResponseError) {
    if (error.transient || error.status >= 500) return EXIT_NETWORK;
    if (CLIENT_CONFIGURATION_ERRORS.has(error.error)) return EXIT_USAGE;
    if (GRANT_GONE_ERRORS.has(error.error))
      return phase === 'authorize' ? EXIT_NOT_COMPLETED : EXIT_AUTHORIZATION_REQUIRED;
    return phase === 'authorize' ? EXIT_NOT_COMPLETED : EXIT_FAILURE;
  }
  if (NETWORK.has(code) || error.transient) return EXIT_NETWORK;
  return EXIT_FAILURE;
}
