/**
 * Errors of the mail proxy. Every one is an {@link AuthorizerError} from core with a stable
 * `code` prefixed `MAIL_PROXY_`. No message ever holds a password, a password hash or a token.
 *
 * @module
 */
import { AuthorizerError, type AuthorizerErrorOptions } from '@oauth-authorizer/core';

/** The proxy configuration is not valid JSON or a field is wrong; the message names the field. */
export const MAIL_PROXY_INVALID_CONFIG = 'MAIL_PROXY_INVALID_CONFIG';
/** A listener on a non-loopback address has no local TLS: passwords would cross the network in clear text. */
export const MAIL_PROXY_INSECURE_LISTENER = 'MAIL_PROXY_INSECURE_LISTENER';
/** A listener could not bind its address (in use, not permitted). */
export const MAIL_PROXY_LISTEN_FAILED = 'MAIL_PROXY_LISTEN_FAILED';
/** The upstream server could not be reached, or answered outside the protocol, before authentication. */
export const MAIL_PROXY_UPSTREAM_UNAVAILABLE = 'MAIL_PROXY_UPSTREAM_UNAVAILABLE';
/** A stored password hash is not in the proxy's `scrypt$…` format. */
export const MAIL_PROXY_INVALID_PASSWORD_HASH = 'MAIL_PROXY_INVALID_PASSWORD_HASH';

/**
 * An error in the proxy configuration: code `MAIL_PROXY_INVALID_CONFIG` (or
 * `MAIL_PROXY_INSECURE_LISTENER` for a listener that would take passwords in clear text), with the JSON path of
 * the field (`listeners[0].upstream.port`) in `field` and at the start of the message.
 *
 * @example
 * ```ts
 * try { parseProxyConfig(json); }
 * catch (error) { if (error instanceof ProxyConfigError) console.error(error.field); }
 * ```
 */
export class ProxyConfigError extends AuthorizerError {
  /** The path of the field that is wrong, e.g. `listeners[1].listen.port`. */
  readonly field: string;

  constructor(
    field: string,
    message: string,
    options: AuthorizerErrorOptions & { code?: typeof MAIL_PROXY_INSECURE_LISTENER } = {},
  ) {
    super(
      options.code ?? MAIL_PROXY_INVALID_CONFIG,
      `proxy configuration: ${field ? `"${field}" ` : ''}${message}`,
      options,
    );
    this.name = 'ProxyConfigError';
    this.field = field;
  }
}
