/**
 * When the token manager says an account must be authorized again, and how.
 *
 * @module
 */
import { AuthorizerError, OAUTH_AUTHORIZATION_REQUIRED, OAuthResponseError } from '../errors.js';

/**
 * The hint of `OAUTH_AUTHORIZATION_REQUIRED`. It names no command: a service using the manager may
 * have no CLI, and a program that has one (ours) adds its command where it prints.
 */
const AUTHORIZE_AGAIN_HINT = 'authorize the account again';

/**
 * OAuth error codes at the token endpoint that mean the grant behind the refresh token is gone,
 * so only a new authorization helps: `invalid_grant` (expired, revoked, or an already rotated
 * refresh token, RFC 6749 §5.2) and the OpenID Connect answers that demand the user
 * (`interaction_required`, `login_required`, `consent_required`, e.g. a new MFA or consent policy).
 * Deliberately not here: `invalid_client` and `unauthorized_client` (the client's configuration —
 * a wrong or expired secret, a grant type not allowed — which a new authorization with the same
 * client does not fix, and which must not flag healthy tokens), `invalid_scope`, `invalid_request`.
 */
const GRANT_GONE_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
]);

/** Whether a failed refresh means the grant is gone (see `GRANT_GONE_ERRORS`). */
export function isGrantGone(error: unknown): error is OAuthResponseError {
  return error instanceof OAuthResponseError && !error.transient && GRANT_GONE_ERRORS.has(error.error);
}

/** The reason kept in the record's mark: the provider's error code and (a bounded) description. */
export function rejectionReason(rejection: OAuthResponseError): string {
  const detail = rejection.errorDescription ? `: ${rejection.errorDescription.slice(0, 300)}` : '';
  return `${rejection.error}${detail}`;
}

/** `OAUTH_AUTHORIZATION_REQUIRED` for `account`, saying what is wrong with it. */
export function authorizationRequired(account: string, problem: string, cause?: unknown): AuthorizerError {
  return new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, `account "${account}" ${problem}`, {
    hint: AUTHORIZE_AGAIN_HINT,
    ...(cause !== undefined && { cause }),
  });
}
