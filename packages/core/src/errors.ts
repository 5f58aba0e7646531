/**
 * Errors thrown by OAuth Authorizer. Every error is an {@link AuthorizerError} with a stable string
 * `code`; callers branch on the code, never on the message. No message ever contains a token, an
 * authorization code or a client secret.
 *
 * @module
 */

/** The server answered with an OAuth error body (`error`, `error_description`, `error_uri`). */
export const OAUTH_ERROR_RESPONSE = 'OAUTH_ERROR_RESPONSE';
/** The server answered with an HTTP error status and no OAuth error body. */
export const OAUTH_HTTP_ERROR = 'OAUTH_HTTP_ERROR';
/** The response was not what the protocol says: not JSON, an HTML page, empty, or a field missing or of the wrong type. */
export const OAUTH_INVALID_RESPONSE = 'OAUTH_INVALID_RESPONSE';
/** A token response's `token_type` is not `Bearer` (in any case) nor one the caller accepts (`ProviderConfig.tokenTypes`). */
export const OAUTH_UNSUPPORTED_TOKEN_TYPE = 'OAUTH_UNSUPPORTED_TOKEN_TYPE';
/** The response body was larger than the configured limit. */
export const OAUTH_RESPONSE_TOO_LARGE = 'OAUTH_RESPONSE_TOO_LARGE';
/** The request took longer than its timeout. */
export const OAUTH_TIMEOUT = 'OAUTH_TIMEOUT';
/** The connection failed: refused, reset, DNS failure, TLS failure. */
export const OAUTH_NETWORK_ERROR = 'OAUTH_NETWORK_ERROR';
/** The operation was cancelled through its `AbortSignal`. */
export const OAUTH_ABORTED = 'OAUTH_ABORTED';
/** An endpoint is not `https:` (and not a loopback host). */
export const OAUTH_INSECURE_ENDPOINT = 'OAUTH_INSECURE_ENDPOINT';
/** The provider or client configuration is incomplete or invalid. */
export const OAUTH_INVALID_CONFIGURATION = 'OAUTH_INVALID_CONFIGURATION';
/** Neither OpenID Connect discovery nor RFC 8414 metadata could be read from the issuer. */
export const OAUTH_DISCOVERY_FAILED = 'OAUTH_DISCOVERY_FAILED';
/** The `state` of an authorization response does not match the request's. */
export const OAUTH_STATE_MISMATCH = 'OAUTH_STATE_MISMATCH';
/** The `iss` of an authorization response does not match the provider's issuer (RFC 9207). */
export const OAUTH_ISSUER_MISMATCH = 'OAUTH_ISSUER_MISMATCH';
/** The authorization response carries no `code`, or is otherwise malformed. */
export const OAUTH_INVALID_AUTHORIZATION_RESPONSE = 'OAUTH_INVALID_AUTHORIZATION_RESPONSE';
/** The user or the server refused the authorization (`access_denied`). */
export const OAUTH_AUTHORIZATION_DENIED = 'OAUTH_AUTHORIZATION_DENIED';
/** The authorization redirect carried another `error` than `access_denied`. */
export const OAUTH_AUTHORIZATION_RESPONSE_ERROR = 'OAUTH_AUTHORIZATION_RESPONSE_ERROR';
/** The device code expired (`expired_token`, or its `expires_in` ran out) before the user approved it. */
export const OAUTH_DEVICE_CODE_EXPIRED = 'OAUTH_DEVICE_CODE_EXPIRED';
/** The account must be authorized (again): no tokens, no refresh token, or the refresh token was rejected. */
export const OAUTH_AUTHORIZATION_REQUIRED = 'OAUTH_AUTHORIZATION_REQUIRED';
/** A server (mail or resource) rejected an access token. */
export const OAUTH_TOKEN_REJECTED = 'OAUTH_TOKEN_REJECTED';
/** A stored token file could not be parsed or does not hold a token set. */
export const OAUTH_STORE_CORRUPT = 'OAUTH_STORE_CORRUPT';
/** A token store could not be read or written (permissions, disk full, server down). */
export const OAUTH_STORE_UNAVAILABLE = 'OAUTH_STORE_UNAVAILABLE';
/** A token store lock could not be taken in time. */
export const OAUTH_LOCK_TIMEOUT = 'OAUTH_LOCK_TIMEOUT';
/** The redirect listener could not listen (port in use, address not available, not loopback). */
export const OAUTH_LISTENER_FAILED = 'OAUTH_LISTENER_FAILED';
/** No authorization redirect arrived before the timeout. */
export const OAUTH_LISTENER_TIMEOUT = 'OAUTH_LISTENER_TIMEOUT';
/**
 * The redirect listener was closed — by `close()`, or because it already received its one callback
 * or gave up waiting — so it cannot wait (any more).
 */
export const OAUTH_LISTENER_CLOSED = 'OAUTH_LISTENER_CLOSED';

/** Every stable code defined by core. Other packages add their own, with their own prefix. */
export type CoreErrorCode =
  | typeof OAUTH_ERROR_RESPONSE
  | typeof OAUTH_HTTP_ERROR
  | typeof OAUTH_INVALID_RESPONSE
  | typeof OAUTH_UNSUPPORTED_TOKEN_TYPE
  | typeof OAUTH_RESPONSE_TOO_LARGE
  | typeof OAUTH_TIMEOUT
  | typeof OAUTH_NETWORK_ERROR
  | typeof OAUTH_ABORTED
  | typeof OAUTH_INSECURE_ENDPOINT
  | typeof OAUTH_INVALID_CONFIGURATION
  | typeof OAUTH_DISCOVERY_FAILED
  | typeof OAUTH_STATE_MISMATCH
  | typeof OAUTH_ISSUER_MISMATCH
  | typeof OAUTH_INVALID_AUTHORIZATION_RESPONSE
  | typeof OAUTH_AUTHORIZATION_DENIED
  | typeof OAUTH_AUTHORIZATION_RESPONSE_ERROR
  | typeof OAUTH_DEVICE_CODE_EXPIRED
  | typeof OAUTH_AUTHORIZATION_REQUIRED
  | typeof OAUTH_TOKEN_REJECTED
  | typeof OAUTH_STORE_CORRUPT
  | typeof OAUTH_STORE_UNAVAILABLE
  | typeof OAUTH_LOCK_TIMEOUT
  | typeof OAUTH_LISTENER_FAILED
  | typeof OAUTH_LISTENER_TIMEOUT
  | typeof OAUTH_LISTENER_CLOSED;

/** Options of {@link AuthorizerError}. */
export interface AuthorizerErrorOptions {
  /** The underlying error or details. Never put a token here either. */
  cause?: unknown;
  /** Whether trying the same thing again later may succeed (timeouts, 5xx, 429, resets). Default: false */
  transient?: boolean;
  /** Seconds the server asked to wait before retrying (`Retry-After`), when it said. */
  retryAfter?: number;
  /** A short, actionable hint for a person, e.g. the command that fixes it. */
  hint?: string;
}

/**
 * The base class of every error OAuth Authorizer throws on purpose.
 *
 * @example
 * ```ts
 * try { await manager.getAccessToken(); }
 * catch (error) {
 *   if (error instanceof AuthorizerError && error.code === OAUTH_AUTHORIZATION_REQUIRED) reauthorize();
 * }
 * ```
 */
export class AuthorizerError extends Error {
  /** A stable code such as `OAUTH_TIMEOUT`; see the exported constants. */
  readonly code: string;
  /** Whether trying again later may succeed. */
  readonly transient: boolean;
  /** Seconds the server asked to wait before retrying, when it said. */
  readonly retryAfter: number | undefined;
  /** A short hint for a person on how to fix it. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: AuthorizerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthorizerError';
    this.code = code;
    this.transient = options.transient ?? false;
    this.retryAfter = options.retryAfter;
    this.hint = options.hint;
  }
}

/** Fields of an OAuth error response body (RFC 6749 §5.2, RFC 8628 §3.5). */
export interface OAuthErrorBody {
  error: string;
  error_description?: string | undefined;
  error_uri?: string | undefined;
}

/**
 * The server answered with an OAuth error body. `error` is kept as sent, so provider codes such as
 * Microsoft's `AADSTS700016` (in `error_description`) reach the user.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class OAuthResponseError extends AuthorizerError {
  /** The OAuth `error` code, e.g. `invalid_grant`. */
  readonly error: string;
  /** The server's `error_description`, if any. */
  readonly errorDescription: string | undefined;
  /** The server's `error_uri`, if any. */
  readonly errorUri: string | undefined;
  /** The HTTP status of the response. */
  readonly status: number;

  constructor(
    body: OAuthErrorBody,
    status: number,
    options: AuthorizerErrorOptions & { code?: string } = {},
  ) {
    const description = body.error_description ? `: ${body.error_description}` : '';
    super(
      options.code ?? OAUTH_ERROR_RESPONSE,
      `server answered "${body.error}"${description} (HTTP ${status})`,
      options,
    );
    this.name = 'OAuthResponseError';
    this.error = body.error;
    this.errorDescription = body.error_description;
    this.errorUri = body.error_uri;
    this.status = status;
  }
}

/**
 * The server answered with an HTTP error status and no OAuth error body (`OAUTH_HTTP_ERROR`):
 * a 404 page, a 502 from a gateway, a 429 without body. 5xx, 408 and 429 are transient.
 */
export class OAuthHttpError extends AuthorizerError {
  /** The HTTP status of the response. */
  readonly status: number;

  constructor(status: number, message: string, options: AuthorizerErrorOptions = {}) {
    super(OAUTH_HTTP_ERROR, message, options);
    this.name = 'OAuthHttpError';
    this.status = status;
  }
}

/**
 * The authorization redirect carried an `error` (RFC 6749 §4.1.2.1), e.g. `access_denied` when the
 * user refused consent.
 */
export class AuthorizationResponseError extends AuthorizerError {
  /** The OAuth `error` code from the redirect. */
  readonly error: string;
  /** The `error_description` from the redirect, if any. */
  readonly errorDescription: string | undefined;
  /** The `error_uri` from the redirect, if any. */
  readonly errorUri: string | undefined;

  constructor(body: OAuthErrorBody, options: AuthorizerErrorOptions = {}) {
    const description = body.error_description ? `: ${body.error_description}` : '';
    super(
      body.error === 'access_denied' ? OAUTH_AUTHORIZATION_DENIED : OAUTH_AUTHORIZATION_RESPONSE_ERROR,
      `authorization failed with "${body.error}"${description}`,
      options,
    );
    this.name = 'AuthorizationResponseError';
    this.error = body.error;
    this.errorDescription = body.error_description;
    this.errorUri = body.error_uri;
  }
}

/**
 * Whether `error` is an {@link AuthorizerError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try {
 *   await manager.getAccessToken();
 * } catch (error) {
 *   if (isAuthorizerError(error, OAUTH_AUTHORIZATION_REQUIRED)) console.error(error.hint);
 *   else throw error;
 * }
 * ```
 */
export function isAuthorizerError(error: unknown, code?: string): error is AuthorizerError {
  return error instanceof AuthorizerError && (code === undefined || error.code === code);
}
