/**
 * Calling an OAuth-protected HTTP API with a bearer token (RFC 6750) that a token manager keeps
 * fresh, and the one rule that makes such a script reliable: when the API says 401 although the
 * token looked valid (revoked early, rotated keys), force one refresh and try once more — never
 * more, so a token the API will never accept cannot cause a loop of refreshes.
 *
 * @module
 */
import {
  AuthorizerError,
  OAUTH_NETWORK_ERROR,
  OAUTH_TIMEOUT,
  OAUTH_TOKEN_REJECTED,
} from '@oauth-authorizer/core';

/** The API answered with an error status (other than the 401 that a refresh answers). */
export const API_HTTP_ERROR = 'CALL_API_HTTP_ERROR';

/** Where the tokens come from: core's `TokenManager`, or anything with the same method. */
export interface BearerTokenSource {
  getAccessToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

/** The request to send. */
export interface ApiRequest {
  /** The API's URL. */
  url: URL;
  /** Default: `GET` */
  method?: string;
  /** A request body, sent as it is (and again on the retry). */
  body?: string;
  /** More request headers; `Authorization` is set by {@link callWithToken}. */
  headers?: Record<string, string>;
  /** Milliseconds allowed for each attempt, until the response headers arrive. Default: 30 000 */
  timeout?: number;
  /** Called once before the retry, after the API rejected the first token. */
  onRejected?: (response: Response) => void;
}

/** What the API said in `WWW-Authenticate` (RFC 6750 §3), cut short: it is shown to a person. */
function challengeOf(response: Response): string {
  const challenge = response.headers.get('www-authenticate');
  return challenge ? ` (${challenge.slice(0, 200)})` : '';
}

function where(url: URL): string {
  // The query may carry an API key of its own: name the endpoint without it.
  return `${url.origin}${url.pathname}`;
}

async function send(request: ApiRequest, token: string): Promise<Response> {
  const timeout = request.timeout ?? 30_000;
  try {
    return await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: { ...request.headers, authorization: `Bearer ${token}` },
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.timeout(timeout),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new AuthorizerError(OAUTH_TIMEOUT, `${where(request.url)} did not answer within ${timeout} ms`, {
        transient: true,
        cause: error,
      });
    }
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? error);
    throw new AuthorizerError(OAUTH_NETWORK_ERROR, `could not reach ${where(request.url)}: ${reason}`, {
      transient: true,
      cause: error,
    });
  }
}

/** The start of an error body, on one line, with the token blanked out should the API echo it. */
async function excerpt(response: Response, token: string): Promise<string> {
  const text = (await response.text().catch(() => '')).split(token).join('[token]');
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? '' : `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

/**
 * Sends `request` with a bearer token from `source`. On a 401, gets a replacement token with
 * `forceRefresh` and sends the request once more; a second 401 is an error. Other error statuses
 * are errors at once; a 2xx or 3xx response is returned with its body unread.
 *
 * @throws {AuthorizerError} `OAUTH_TOKEN_REJECTED` when the API rejects the refreshed token too;
 *   `CALL_API_HTTP_ERROR` for another error status (`transient` for 429 and 5xx);
 *   `OAUTH_NETWORK_ERROR` and `OAUTH_TIMEOUT` (transient); the token source's own errors, e.g.
 *   `OAUTH_AUTHORIZATION_REQUIRED` when the refresh is refused.
 * @example
 * ```ts
 * const response = await callWithToken(manager, { url: new URL('https://graph.microsoft.com/v1.0/me') });
 * console.log(await response.json());
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export async function callWithToken(source: BearerTokenSource, request: ApiRequest): Promise<Response> {
  let token = await source.getAccessToken();
  let response = await send(request, token);
  if (response.status === 401) {
    request.onRejected?.(response);
    // Free the connection: the body of a rejection is not needed.
    await response.body?.cancel();
    token = await source.getAccessToken({ forceRefresh: true });
    response = await send(request, token);
    if (response.status === 401) {
      const challenge = challengeOf(response);
      await response.body?.cancel();
      throw new AuthorizerError(
        OAUTH_TOKEN_REJECTED,
        `${where(request.url)} rejected the access token again after a refresh: HTTP 401${challenge}`,
        {
          hint: 'the API may need other scopes, or tokens from another provider: authorize the account again with the scopes the API documents',
        },
      );
    }
  }
  if (response.status >= 400) {
    const challenge = response.status === 403 ? challengeOf(response) : '';
    throw new AuthorizerError(
      API_HTTP_ERROR,
      `${request.method ?? 'GET'} ${where(request.url)} answered HTTP ${response.status}${challenge}${await excerpt(response, token)}`,
      { transient: response.status === 429 || response.status >= 500 },
    );
  }
  return response;
}
