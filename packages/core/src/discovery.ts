import { checkEndpoint } from './endpoint-url.js';
import { AuthorizerError, OAUTH_DISCOVERY_FAILED, OAUTH_INVALID_CONFIGURATION } from './errors.js';
import { requestEndpoint } from './http.js';
import type { EndpointField, HttpSettings, ProviderConfig } from './provider.js';

/**
 * Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery §3): the fields this
 * toolkit uses, plus whatever else the server publishes.
 */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  device_authorization_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
  scopes_supported?: string[];
  grant_types_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [field: string]: unknown;
}

const cache = new Map<string, Promise<AuthorizationServerMetadata>>();

/** The two well-known locations, in the order tried: OIDC appends, RFC 8414 inserts. */
function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '');
  return [
    new URL(`${issuer.origin}${path}/.well-known/openid-configuration`),
    new URL(`${issuer.origin}/.well-known/oauth-authorization-server${path}`),
  ];
}

async function fetchMetadata(
  issuer: string,
  options: { http?: HttpSettings; signal?: AbortSignal },
): Promise<AuthorizationServerMetadata> {
  const issuerUrl = checkEndpoint('issuer', issuer, options.http);
  const failures: string[] = [];
  for (const url of metadataUrls(issuerUrl)) {
    let body: Record<string, unknown>;
    try {
      ({ body } = await requestEndpoint({
        endpoint: 'discovery document',
        url,
        method: 'GET',
        settings: options.http,
        signal: options.signal,
      }));
    } catch (error) {
      // A transport failure is the server's, not the location's: trying the other one would only hide it.
      if (error instanceof AuthorizerError && error.transient) throw error;
      failures.push(`${url.pathname}: ${(error as Error).message}`);
      continue;
    }
    // RFC 8414 §3.3 / OIDC Discovery §4.3: the document must name exactly the issuer asked for.
    if (body.issuer !== issuer && body.issuer !== issuer.replace(/\/$/, '')) {
      throw new AuthorizerError(
        OAUTH_DISCOVERY_FAILED,
        `the discovery document at ${url.href} is for issuer "${String(body.issuer)}", not "${issuer}"`,
      );
    }
    return body as AuthorizationServerMetadata;
  }
  throw new AuthorizerError(
    OAUTH_DISCOVERY_FAILED,
    `no authorization server metadata found for issuer ${issuer} (${failures.join('; ')})`,
    {
      hint: 'check the issuer URL, or give the endpoints directly',
    },
  );
}

/**
 * Reads the authorization server metadata of `issuer`: OpenID Connect discovery first
 * (`/.well-known/openid-configuration`), then RFC 8414 (`/.well-known/oauth-authorization-server`).
 * Successful answers are cached for the life of the process.
 *
 * @throws {AuthorizerError} `OAUTH_DISCOVERY_FAILED` when neither document exists or names another issuer;
 *   transport errors (`OAUTH_TIMEOUT`, `OAUTH_NETWORK_ERROR`) as they come.
 * @example
 * ```ts
 * const metadata = await discover('https://login.example.com');
 * console.log(metadata.token_endpoint);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discover(
  issuer: string,
  options: { http?: HttpSettings; signal?: AbortSignal } = {},
): Promise<AuthorizationServerMetadata> {
  const cached = cache.get(issuer);
  if (cached) return cached;
  const pending = fetchMetadata(issuer, options);
  cache.set(issuer, pending);
  pending.catch(() => cache.delete(issuer));
  return pending;
}

/**
 * Completes a provider configuration: when `issuer` is set and an endpoint is missing, the
 * endpoints come from discovery, and so does whether the server sends `iss` in authorization
 * responses (RFC 9207). Given endpoints are kept. Checks that a token endpoint is known.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when there is no token endpoint, or the errors of {@link discover}.
 * @example
 * ```ts
 * const provider = await resolveProvider({ issuer: 'https://accounts.google.com', clientId });
 * ```
 */
export async function resolveProvider(
  config: ProviderConfig,
  options: { signal?: AbortSignal } = {},
): Promise<ProviderConfig> {
  if (typeof config !== 'object' || config === null || typeof config.clientId !== 'string') {
    throw new TypeError('provider configuration must be an object with a string "clientId"');
  }
  let resolved = config;
  const complete =
    config.tokenUrl && config.authorizationUrl && config.deviceAuthorizationUrl && config.revocationUrl;
  if (config.issuer && !complete) {
    const metadata = await discover(config.issuer, {
      ...(config.http && { http: config.http }),
      ...(options.signal && { signal: options.signal }),
    });
    const pick = (given: string | undefined, found: unknown) =>
      given ?? (typeof found === 'string' ? found : undefined);
    const authorizationUrl = pick(config.authorizationUrl, metadata.authorization_endpoint);
    const deviceAuthorizationUrl = pick(
      config.deviceAuthorizationUrl,
      metadata.device_authorization_endpoint,
    );
    const tokenUrl = pick(config.tokenUrl, metadata.token_endpoint);
    const revocationUrl = pick(config.revocationUrl, metadata.revocation_endpoint);
    const methods = metadata.token_endpoint_auth_methods_supported;
    const clientAuth =
      config.clientAuth ??
      (config.clientSecret &&
      methods &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post')
        ? 'client_secret_post'
        : undefined);
    resolved = {
      ...config,
      ...(authorizationUrl && { authorizationUrl }),
      ...(deviceAuthorizationUrl && { deviceAuthorizationUrl }),
      ...(tokenUrl && { tokenUrl }),
      ...(revocationUrl && { revocationUrl }),
      ...(clientAuth && { clientAuth }),
      issuerInAuthorizationResponse:
        config.issuerInAuthorizationResponse ??
        metadata.authorization_response_iss_parameter_supported === true,
    };
  }
  if (!resolved.tokenUrl) {
    throw new AuthorizerError(OAUTH_INVALID_CONFIGURATION, 'the provider has no token endpoint', {
      hint: 'give the token URL, or an issuer that publishes discovery metadata',
    });
  }
  return resolved;
}

/**
 * The endpoint `field` of `provider`, discovering it first when needed.
 *
 * @internal used by the flows.
 */
export async function requireEndpoint(
  provider: ProviderConfig,
  field: Exclude<EndpointField, 'issuer'>,
  what: string,
  signal: AbortSignal | undefined,
): Promise<{ provider: ProviderConfig; url: string }> {
  const resolved = provider[field] ? provider : await resolveProvider(provider, signal ? { signal } : {});
  const url = resolved[field];
  if (!url) {
    throw new AuthorizerError(OAUTH_INVALID_CONFIGURATION, `the provider has no ${what}`, {
      hint: `give the ${what} URL, or use a flow the provider supports`,
    });
  }
  return { provider: resolved, url };
}
