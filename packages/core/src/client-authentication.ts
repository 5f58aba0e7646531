import { AuthorizerError, OAUTH_INVALID_CONFIGURATION } from './errors.js';
import type { ProviderConfig } from './provider.js';

/** RFC 6749 §2.3.1 and appendix B: `application/x-www-form-urlencoded`, `+` for space. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * The `Basic` credentials of `client_secret_basic`: `base64(formEncode(id) ":" formEncode(secret))`,
 * as RFC 6749 §2.3.1 requires (both parts form-encoded before they are joined).
 *
 * @example
 * ```ts
 * headers.authorization = `Basic ${basicCredentials('client', 's3cret')}`;
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
}

/**
 * Adds the client's authentication to a token-endpoint style request (RFC 6749 §2.3.1):
 * `client_secret_basic` (the default with a secret), `client_secret_post`, or `none` (public client).
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when the method needs a secret and there is none.
 * @example
 * ```ts
 * const form = { grant_type: 'refresh_token', refresh_token };
 * const headers: Record<string, string> = {};
 * authenticateClient(provider, form, headers);
 * ```
 */
export function authenticateClient(
  provider: ProviderConfig,
  form: Record<string, string>,
  headers: Record<string, string>,
): void {
  const method = provider.clientAuth ?? (provider.clientSecret ? 'client_secret_basic' : 'none');
  if (method !== 'none' && !provider.clientSecret) {
    throw new AuthorizerError(
      OAUTH_INVALID_CONFIGURATION,
      `client authentication "${method}" needs a client secret`,
      {
        hint: 'give the client secret, or use client authentication "none" for a public client',
      },
    );
  }
  if (method === 'client_secret_basic') {
    headers.authorization = `Basic ${basicCredentials(provider.clientId, provider.clientSecret as string)}`;
    return;
  }
  form.client_id = provider.clientId;
  if (method === 'client_secret_post') form.client_secret = provider.clientSecret as string;
}

/**
 * Every secret a request carries, to keep out of errors: the grant's code, refresh token, PKCE
 * verifier, device code or token, the client secret, and the `Basic` credentials in both the form
 * we send (form-encoded parts) and the plain `base64(id:secret)` a server may echo.
 *
 * @example
 * ```ts
 * throw redactError(error, secretsOf(provider, form));
 * ```
 */
export function secretsOf(provider: ProviderConfig, form: Record<string, string>): string[] {
  const secrets = [
    form.code,
    form.refresh_token,
    form.code_verifier,
    form.device_code,
    form.token,
    form.client_secret,
    form.assertion,
    form.client_assertion,
  ];
  if (provider.clientSecret) {
    secrets.push(provider.clientSecret);
    secrets.push(basicCredentials(provider.clientId, provider.clientSecret));
    secrets.push(Buffer.from(`${provider.clientId}:${provider.clientSecret}`).toString('base64'));
  }
  return secrets.filter((value): value is string => typeof value === 'string');
}
