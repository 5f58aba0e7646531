import { AuthorizerError, OAUTH_INSECURE_ENDPOINT, OAUTH_INVALID_CONFIGURATION } from './errors.js';
import { isLoopbackHost } from './loopback.js';
import type { HttpSettings } from './provider.js';

/**
 * Parses and checks an endpoint URL: `https:`, or `http:` on a loopback host (see
 * {@link isLoopbackHost}: `localhost` and loopback IP literals only), or any `http:` with
 * `dangerouslyAllowInsecureHttp`.
 *
 * @param name What the URL is, for messages: `token endpoint`.
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` for a malformed URL, `OAUTH_INSECURE_ENDPOINT` for an insecure one.
 * @example
 * ```ts
 * const url = checkEndpoint('token endpoint', 'http://127.0.0.1:3000/token', undefined);
 * ```
 */
export function checkEndpoint(name: string, value: string, settings: HttpSettings | undefined): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthorizerError(
      OAUTH_INVALID_CONFIGURATION,
      `${name} must be an absolute URL, got "${String(value).slice(0, 200)}"`,
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || settings?.dangerouslyAllowInsecureHttp))
    return url;
  throw new AuthorizerError(
    url.protocol === 'http:' ? OAUTH_INSECURE_ENDPOINT : OAUTH_INVALID_CONFIGURATION,
    `${name} must use https: (plain http: is allowed on loopback hosts only), got "${url.origin}"`,
    { hint: 'use the https:// URL of the endpoint' },
  );
}
