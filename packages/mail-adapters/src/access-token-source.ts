/**
 * Options an adapter passes when it asks for a token.
 *
 * @example
 * ```ts
 * const token = await source.getAccessToken({ forceRefresh: true, minValidity: 120 });
 * ```
 */
export interface AccessTokenRequest {
  /** Refresh even if the cached token looks valid: a server has just rejected it. */
  forceRefresh?: boolean;
  /** Seconds of validity the token must have left; the source refreshes first when it has less. */
  minValidity?: number;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Where the adapters get access tokens. Core's `TokenManager` is one (with single-flight refresh
 * and persistence of rotated refresh tokens); any object with this method will do.
 *
 * @example
 * ```ts
 * import { FileTokenStore, TokenManager } from '@oauth-authorizer/core';
 * const source: AccessTokenSource = new TokenManager({ account: 'me@example.com', store: new FileTokenStore(), provider });
 * ```
 */
export interface AccessTokenSource {
  /** A valid access token, refreshed first when needed or when `forceRefresh` is set. */
  getAccessToken(options?: AccessTokenRequest): Promise<string>;
}

/**
 * Options every adapter takes for its token requests.
 *
 * @example
 * ```ts
 * const pop3 = await connectPop3(manager, { user, host, port: 995, minValidity: 300, signal: AbortSignal.timeout(30_000) });
 * ```
 */
export interface TokenRequestOptions {
  /** Seconds of validity a token must have left when a connection logs in. Default: the source's own (60 s for `TokenManager`) */
  minValidity?: number;
  /** Cancels connecting and authenticating. */
  signal?: AbortSignal;
}

/**
 * Checks that `source` has a `getAccessToken` method: a programmer mistake is a `TypeError` at
 * once, not a failure on the first connection.
 *
 * @throws {TypeError} when it has none.
 */
export function assertAccessTokenSource(source: unknown): asserts source is AccessTokenSource {
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof (source as { getAccessToken?: unknown }).getAccessToken !== 'function'
  ) {
    throw new TypeError(
      'the token source must be an object with a getAccessToken() method (e.g. a TokenManager)',
    );
  }
}

/** The request for a token, without `undefined` fields (the source may use exact optional types). */
export function tokenRequest(options: TokenRequestOptions, forceRefresh = false): AccessTokenRequest {
  return {
    ...(forceRefresh && { forceRefresh: true }),
    ...(options.minValidity !== undefined && { minValidity: options.minValidity }),
    ...(options.signal !== undefined && { signal: options.signal }),
  };
}

/**
 * A token to use instead of one a server just rejected. If the source already hands out another
 * token (someone refreshed meanwhile), that one; otherwise a forced refresh. Many connections
 * rejected with the same stale token so cause one refresh, not one each.
 */
export async function replacementToken(
  source: AccessTokenSource,
  rejected: string,
  options: TokenRequestOptions,
): Promise<string> {
  const current = await source.getAccessToken(tokenRequest(options));
  if (current !== rejected) return current;
  return source.getAccessToken(tokenRequest(options, true));
}
