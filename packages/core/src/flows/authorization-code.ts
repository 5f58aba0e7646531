import { resolveProvider } from '../discovery.js';
import { checkEndpoint } from '../endpoint-url.js';
import {
  AuthorizationResponseError,
  AuthorizerError,
  OAUTH_INVALID_AUTHORIZATION_RESPONSE,
  OAUTH_INVALID_CONFIGURATION,
  OAUTH_INVALID_RESPONSE,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_STATE_MISMATCH,
} from '../errors.js';
import { createPkcePair, randomString } from '../pkce.js';
import type { ProviderConfig } from '../provider.js';
import type { RedirectReceiver } from '../redirect-receiver.js';
import type { TokenSet } from '../token-set.js';
import type { UserAgent } from '../user-agent.js';
import { requestTokens } from './token-request.js';

/** Options of {@link createAuthorizationRequest}. */
export interface AuthorizationRequestOptions {
  /** The redirect URI registered at the provider; the listener reports the exact one. */
  redirectUri: string;
  /** Scopes to ask for. Default: the provider's `scopes` */
  scopes?: string[];
  /** Pre-fills the account at the provider's login page (`login_hint`). */
  loginHint?: string;
  /** Extra authorization parameters; they cannot replace `state`, PKCE, `client_id`, `redirect_uri` or `response_type`. */
  params?: Record<string, string>;
}

/** A prepared authorization request: the URL to open and what must be kept to finish the flow. */
export interface AuthorizationRequest {
  /** The authorization URL to open in the browser. */
  url: string;
  /** The `state` sent, at least 128 random bits. */
  state: string;
  /** The PKCE verifier; sent only with the code exchange. */
  codeVerifier: string;
  /** The `nonce` sent when the scopes include `openid`. */
  nonce?: string;
  redirectUri: string;
  scopes: string[];
}

declare const validated: unique symbol;

/**
 * An authorization response that passed {@link validateAuthorizationResponse}: the only input
 * {@link exchangeAuthorizationCode} takes, so the state and issuer checks cannot be skipped.
 */
export interface ValidatedAuthorizationResponse {
  readonly code: string;
  readonly state: string;
  readonly iss?: string;
  readonly [validated]: true;
}

/**
 * Parameters core sets itself on an authorization request, so a preset must not set them:
 * `scope` and `nonce` too, when the scopes call for them.
 */
export const RESERVED_AUTHORIZATION_PARAMS: readonly string[] = Object.freeze([
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'nonce',
]);

/** Of those, the ones always set: a caller's `scope` (without scopes) or `nonce` (without `openid`) stays. */
const ALWAYS_SET_PARAMS = RESERVED_AUTHORIZATION_PARAMS.filter(
  (name) => name !== 'scope' && name !== 'nonce',
);

/**
 * Builds an authorization request (RFC 6749 §4.1.1) with PKCE S256, a fresh `state` and, when the
 * scopes include `openid`, a `nonce`. When the scopes include both `openid` and `offline_access`
 * and no `prompt` was given, `prompt=consent` is added: OpenID Connect Core §11 says a server
 * ignores `offline_access` otherwise, and the user would get no refresh token.
 *
 * @param provider The provider; `authorizationUrl` must be known (see {@link resolveProvider}).
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when there is no authorization endpoint,
 *   `OAUTH_INSECURE_ENDPOINT` when it is not https.
 * @example
 * ```ts
 * const request = createAuthorizationRequest(provider, { redirectUri: listener.redirectUri });
 * await open(request.url);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636
 */
export function createAuthorizationRequest(
  provider: ProviderConfig,
  options: AuthorizationRequestOptions,
): AuthorizationRequest {
  if (typeof options?.redirectUri !== 'string') throw new TypeError('"redirectUri" must be a string');
  if (!provider.authorizationUrl) {
    throw new AuthorizerError(OAUTH_INVALID_CONFIGURATION, 'the provider has no authorization endpoint', {
      hint: 'give the authorization URL or an issuer (and call resolveProvider), or use the device flow',
    });
  }
  const url = checkEndpoint('authorization URL', provider.authorizationUrl, provider.http);
  const scopes = options.scopes ?? provider.scopes ?? [];
  const { codeVerifier, codeChallenge, codeChallengeMethod } = createPkcePair();
  const state = randomString(32);
  const nonce = scopes.includes('openid') ? randomString(32) : undefined;
  const params = new URLSearchParams(url.search);
  for (const [key, value] of Object.entries({ ...provider.authorizationParams, ...options.params })) {
    if (!ALWAYS_SET_PARAMS.includes(key)) params.set(key, value);
  }
  if (scopes.includes('openid') && scopes.includes('offline_access') && !params.has('prompt')) {
    params.set('prompt', 'consent');
  }
  params.set('response_type', 'code');
  params.set('client_id', provider.clientId);
  params.set('redirect_uri', options.redirectUri);
  if (scopes.length > 0) params.set('scope', scopes.join(' '));
  params.set('state', state);
  params.set('code_challenge', codeChallenge);
  params.set('code_challenge_method', codeChallengeMethod);
  if (nonce) params.set('nonce', nonce);
  if (options.loginHint) params.set('login_hint', options.loginHint);
  url.search = params.toString();
  return {
    url: url.href,
    state,
    codeVerifier,
    ...(nonce && { nonce }),
    redirectUri: options.redirectUri,
    scopes,
  };
}

function callbackParams(callback: URL | string): URLSearchParams {
  if (callback instanceof URL) return callback.searchParams;
  const text = String(callback).trim();
  try {
    return new URL(text).searchParams;
  } catch {
    // A pasted query string (`code=…&state=…` or `?code=…`) rather than a whole URL.
    if (text.includes('=')) return new URLSearchParams(text.replace(/^[^?]*\?/, ''));
    throw new AuthorizerError(
      OAUTH_INVALID_AUTHORIZATION_RESPONSE,
      'the redirect is not a URL: paste the whole address from the browser',
    );
  }
}

/**
 * Checks an authorization response (the redirect the listener received, or the URL a user
 * pasted): `state` first, then `iss` (RFC 9207), then `error`, then `code`.
 *
 * @throws {AuthorizerError} `OAUTH_STATE_MISMATCH`, `OAUTH_ISSUER_MISMATCH`, `OAUTH_INVALID_AUTHORIZATION_RESPONSE`.
 * @throws {AuthorizationResponseError} for an `error` redirect: `OAUTH_AUTHORIZATION_DENIED` for `access_denied`.
 * @example
 * ```ts
 * const response = validateAuthorizationResponse(provider, request, pastedUrl);
 * const tokens = await exchangeAuthorizationCode(provider, request, response);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function validateAuthorizationResponse(
  provider: ProviderConfig,
  request: AuthorizationRequest,
  callback: URL | string,
): ValidatedAuthorizationResponse {
  const params = callbackParams(callback);
  const state = params.get('state');
  if (state === null) {
    throw new AuthorizerError(OAUTH_STATE_MISMATCH, 'the authorization response has no "state"', {
      hint: 'start the authorization again and use the newest redirect',
    });
  }
  if (state !== request.state) {
    throw new AuthorizerError(
      OAUTH_STATE_MISMATCH,
      'the authorization response belongs to another request ("state" does not match)',
      {
        hint: 'start the authorization again and use the newest redirect',
      },
    );
  }
  const iss = params.get('iss');
  if (iss !== null && provider.issuer && iss !== provider.issuer) {
    throw new AuthorizerError(
      OAUTH_ISSUER_MISMATCH,
      `the authorization response comes from issuer "${iss}", expected "${provider.issuer}"`,
    );
  }
  if (iss === null && provider.issuerInAuthorizationResponse) {
    throw new AuthorizerError(
      OAUTH_ISSUER_MISMATCH,
      'the authorization response has no "iss" although the server says it sends one',
    );
  }
  const error = params.get('error');
  if (error !== null) {
    throw new AuthorizationResponseError({
      error,
      error_description: params.get('error_description') ?? undefined,
      error_uri: params.get('error_uri') ?? undefined,
    });
  }
  const code = params.get('code');
  if (!code)
    throw new AuthorizerError(
      OAUTH_INVALID_AUTHORIZATION_RESPONSE,
      'the authorization response has no "code"',
    );
  return { code, state, ...(iss !== null && { iss }) } as ValidatedAuthorizationResponse;
}

function jwtPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Exchanges the authorization code for tokens (RFC 6749 §4.1.3) with the PKCE verifier. When an
 * ID token comes back for a request that sent a `nonce`, its `nonce` claim must match. (The ID
 * token arrives straight from the token endpoint over TLS, so its signature is not checked here;
 * OpenID Connect Core §3.1.3.7 allows that.)
 *
 * @throws {OAuthResponseError} e.g. `invalid_grant` for a used or expired code.
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE` and the transport codes.
 * @example
 * ```ts
 * const request = createAuthorizationRequest(provider, { redirectUri: listener.redirectUri, scopes: ['openid'] });
 * // … the user signs in at request.url; the redirect arrives at the listener …
 * const callback = await listener.waitForCallback({ state: request.state });
 * const response = validateAuthorizationResponse(provider, request, callback);
 * const tokens = await exchangeAuthorizationCode(provider, request, response, { signal: AbortSignal.timeout(30_000) });
 * ```
 */
export async function exchangeAuthorizationCode(
  provider: ProviderConfig,
  request: AuthorizationRequest,
  response: ValidatedAuthorizationResponse,
  options: { signal?: AbortSignal } = {},
): Promise<TokenSet> {
  const tokens = await requestTokens(
    provider,
    {
      grant_type: 'authorization_code',
      code: response.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    },
    options.signal,
  );
  if (request.nonce && tokens.idToken) {
    const payload = jwtPayload(tokens.idToken);
    if (!payload) throw new AuthorizerError(OAUTH_INVALID_RESPONSE, 'token response "id_token" is not a JWT');
    if (payload.nonce !== request.nonce) {
      throw new AuthorizerError(
        OAUTH_INVALID_RESPONSE,
        'token response "id_token" carries another "nonce" than the request',
      );
    }
  }
  return tokens;
}

/** Options of {@link authorizeWithCode}. */
export interface AuthorizeWithCodeOptions extends Omit<AuthorizationRequestOptions, 'redirectUri'> {
  /** Receives the redirect; its `redirectUri` is sent to the provider. Closed when the flow ends. */
  receiver: RedirectReceiver;
  /** Opens the authorization URL for the user. */
  userAgent: UserAgent;
  /**
   * The provider to redeem the code with, chosen from the validated redirect: Zoho names the data
   * centre of a multi-DC account in its redirect (`location`), and the code is good only at that
   * data centre's token endpoint. Default: the provider the authorization ran with
   */
  exchangeWith?: (callback: URL, provider: ProviderConfig) => ProviderConfig | Promise<ProviderConfig>;
  signal?: AbortSignal;
}

/**
 * Runs the whole authorization code flow: discovery when needed, the request, opening the URL,
 * waiting for the redirect, validation and the code exchange. The receiver is closed at the end.
 *
 * @example
 * ```ts
 * const listener = await startRedirectListener('http://127.0.0.1/callback');
 * const tokens = await authorizeWithCode(provider, { receiver: listener, userAgent });
 * ```
 */
export async function authorizeWithCode(
  provider: ProviderConfig,
  options: AuthorizeWithCodeOptions,
): Promise<TokenSet> {
  const { receiver, userAgent, signal } = options;
  try {
    const resolved = provider.authorizationUrl
      ? provider
      : await resolveProvider(provider, signal ? { signal } : {});
    const request = createAuthorizationRequest(resolved, {
      redirectUri: receiver.redirectUri,
      ...(options.scopes && { scopes: options.scopes }),
      ...(options.loginHint && { loginHint: options.loginHint }),
      ...(options.params && { params: options.params }),
    });
    // Wait first, then open: a fast browser must not beat the receiver.
    // The receiver shows the browser "complete" only for a response that passes these checks.
    const callback = receiver.waitForCallback({
      state: request.state,
      ...(signal && { signal }),
      validate: (url) => {
        validateAuthorizationResponse(resolved, request, url);
      },
    });
    callback.catch(() => {});
    await userAgent.openUrl(request.url, 'authorization');
    const url = await callback;
    const response = validateAuthorizationResponse(resolved, request, url);
    const exchanger = options.exchangeWith ? await options.exchangeWith(url, resolved) : resolved;
    return await exchangeAuthorizationCode(exchanger, request, response, signal ? { signal } : {});
  } finally {
    await receiver.close();
  }
}
