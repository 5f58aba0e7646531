import type { Dispatcher } from 'undici';

/**
 * Every client authentication method core implements (RFC 6749 §2.3.1, OpenID Connect Core §9):
 * the one list that presets and the CLI check against.
 */
export const CLIENT_AUTH_METHODS = Object.freeze([
  'client_secret_basic',
  'client_secret_post',
  'none',
] as const);

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** The endpoint fields of a {@link ProviderConfig}, `issuer` first: what discovery fills in. */
export const ENDPOINT_FIELDS = Object.freeze([
  'issuer',
  'authorizationUrl',
  'deviceAuthorizationUrl',
  'tokenUrl',
  'revocationUrl',
] as const);

/** One of {@link ENDPOINT_FIELDS}. */
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

/** HTTP settings shared by every request made for one provider. */
export interface HttpSettings {
  /** The undici dispatcher to send through (a `MockAgent` in tests, a `ProxyAgent`). Default: from `HTTPS_PROXY`/`NO_PROXY`, else undici's global one */
  dispatcher?: Dispatcher;
  /** Per-request timeout in ms, covering connect, headers and body. Default: 30 000 */
  timeout?: number;
  /** Largest response body accepted, in bytes. Default: 1 MiB */
  maxResponseSize?: number;
  /**
   * Allows `http:` endpoints on hosts that are not loopback. Named so that nobody sets it by
   * accident: tokens would travel in clear. Default: false
   */
  dangerouslyAllowInsecureHttp?: boolean;
}

/**
 * A provider (authorization server) and the client registered at it. Endpoints are given, or
 * discovered from `issuer` by {@link resolveProvider}.
 */
export interface ProviderConfig {
  /** The issuer identifier; with it, missing endpoints come from discovery, and `iss` is checked (RFC 9207). */
  issuer?: string;
  /** The authorization endpoint (code flow). */
  authorizationUrl?: string;
  /** The device authorization endpoint (RFC 8628). */
  deviceAuthorizationUrl?: string;
  /** The token endpoint. Required, directly or through discovery. */
  tokenUrl?: string;
  /** The revocation endpoint (RFC 7009), where the provider has one. */
  revocationUrl?: string;
  /** The client identifier. */
  clientId: string;
  /** The client secret of a confidential client. */
  clientSecret?: string;
  /** Default: `client_secret_basic` with a secret, `none` without */
  clientAuth?: ClientAuthMethod;
  /** The scopes to ask for when a call does not name its own. */
  scopes?: string[];
  /** Extra parameters for every authorization request (e.g. Google's `access_type=offline`). */
  authorizationParams?: Record<string, string>;
  /** Extra headers for token-endpoint requests (e.g. GitHub's `Accept: application/json`). */
  tokenHeaders?: Record<string, string>;
  /**
   * Whether the server returns `iss` in the authorization response (RFC 9207). Discovery sets it
   * from `authorization_response_iss_parameter_supported`. When true, a missing or wrong `iss` is
   * an error; when false, an `iss` that is present is still checked. Default: false
   */
  issuerInAuthorizationResponse?: boolean;
  /**
   * Token types accepted at the token endpoint besides `Bearer` (compared without regard to case),
   * e.g. `['DPoP']` for a caller that sends such tokens itself. A `token_type` that is neither is
   * refused with `OAUTH_UNSUPPORTED_TOKEN_TYPE`: the mail adapters and `token` would hand it out as
   * a bearer token. Default: none (only `Bearer`, or no `token_type`)
   */
  tokenTypes?: string[];
  /** HTTP settings. */
  http?: HttpSettings;
}
