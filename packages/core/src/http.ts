import type { Dispatcher } from 'undici';
import { abortError } from './abort.js';
import { authenticateClient, secretsOf } from './client-authentication.js';
import { checkEndpoint } from './endpoint-url.js';
import {
  AuthorizerError,
  OAUTH_INVALID_RESPONSE,
  OAUTH_NETWORK_ERROR,
  OAUTH_RESPONSE_TOO_LARGE,
  OAUTH_TIMEOUT,
  OAuthHttpError,
  OAuthResponseError,
} from './errors.js';
import { loopbackOnlyLookup } from './loopback.js';
import type { HttpSettings, ProviderConfig } from './provider.js';
import { redact, redactError } from './redact.js';

/** Default per-request timeout: 30 s. */
export const DEFAULT_TIMEOUT = 30_000;
/** Default response size limit: 1 MiB, far above any token response. */
export const DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;

const USER_AGENT = 'oauth-authorizer';

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;
let defaultDispatcher: Dispatcher | undefined;

// undici is loaded on the first request, not at import: the CLI's `token` command answers from the
// store without any request and must not pay for loading it.
function loadUndici(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

let localhostDispatcher: Dispatcher | undefined;

/**
 * The dispatcher for a request without the caller's own: for the name `localhost`, an agent whose
 * lookup refuses non-loopback answers (and no proxy: a proxy's `localhost` is not ours); else the
 * environment's proxy (`HTTPS_PROXY`, `NO_PROXY`), else undici's global one.
 */
function defaultDispatcherFor(lib: Undici, url: URL): Dispatcher | undefined {
  if (url.hostname.toLowerCase() === 'localhost') {
    localhostDispatcher ??= new lib.Agent({ connect: { lookup: loopbackOnlyLookup() } });
    return localhostDispatcher;
  }
  const env = process.env;
  if (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy) {
    defaultDispatcher ??= new lib.EnvHttpProxyAgent();
    return defaultDispatcher;
  }
  return undefined;
}

/** A request to an OAuth endpoint. */
export interface EndpointRequest {
  /** What the endpoint is, for messages: `token endpoint`, `discovery document`. */
  endpoint: string;
  url: URL;
  method: 'GET' | 'POST';
  /** Form fields of a POST. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  settings: HttpSettings | undefined;
  signal: AbortSignal | undefined;
  /** Values sent in the request that must never appear in an error (tokens, codes, secrets). */
  secrets?: string[];
  /** A 2xx answer needs no JSON body (RFC 7009 revocation answers with an empty 200). Default: false */
  bodyOptional?: boolean;
}

/** A parsed response: status, headers, and the body as an object. */
export interface EndpointResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function retryAfterSeconds(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers['retry-after'];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function headerText(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

async function readBody(body: Dispatcher.ResponseData['body'], limit: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new AuthorizerError(OAUTH_RESPONSE_TOO_LARGE, `${what} answered with more than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a body as an object: JSON (also when mislabelled as text), or form-encoded where a
 * provider answers that way (GitHub without `Accept: application/json`). `undefined` when it is
 * neither.
 */
function parseBody(text: string, contentType: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (contentType.includes('application/x-www-form-urlencoded') && trimmed !== '') {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return undefined;
}

function describeBody(text: string, contentType: string): string {
  if (text.trim() === '') return 'an empty body';
  if (/<html|<!doctype/i.test(text.slice(0, 512)) || contentType.includes('text/html')) return 'an HTML page';
  if (text.trim().startsWith('[')) return 'a JSON array';
  return `a body of type "${contentType || 'unknown'}" that is not a JSON object`;
}

function isOAuthErrorBody(
  body: Record<string, unknown> | undefined,
): body is Record<string, unknown> & { error: string } {
  return typeof body?.error === 'string' && body.error.length > 0;
}

function oauthError(
  body: Record<string, unknown> & { error: string },
  status: number,
  request: EndpointRequest,
  retryAfter: number | undefined,
): OAuthResponseError {
  const optionalText = (value: unknown) =>
    typeof value === 'string' ? redact(value, ...(request.secrets ?? [])) : undefined;
  const transient =
    status >= 500 ||
    status === 429 ||
    body.error === 'temporarily_unavailable' ||
    body.error === 'server_error';
  return new OAuthResponseError(
    {
      error: redact(body.error, ...(request.secrets ?? [])),
      error_description: optionalText(body.error_description),
      error_uri: optionalText(body.error_uri),
    },
    status,
    { transient, ...(retryAfter !== undefined && { retryAfter }) },
  );
}

function networkError(error: unknown, request: EndpointRequest, timedOut: boolean): AuthorizerError {
  const where = `${request.endpoint} ${request.url.origin}${request.url.pathname}`;
  if (request.signal?.aborted) return abortError(request.signal, `request to the ${where}`);
  if (timedOut) {
    const ms = request.settings?.timeout ?? DEFAULT_TIMEOUT;
    return new AuthorizerError(OAUTH_TIMEOUT, `the ${where} did not answer within ${ms} ms`, {
      transient: true,
    });
  }
  if (error instanceof AuthorizerError) return error;
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return new AuthorizerError(OAUTH_NETWORK_ERROR, `could not reach the ${where}${code ? ` (${code})` : ''}`, {
    transient: true,
    cause: code ? { code } : undefined,
  });
}

/**
 * Sends one request to an OAuth endpoint and checks the answer in a fixed order: transport
 * (timeout, abort, reset, size), then an OAuth error body, then the status, then that the body is
 * a JSON object. The error body comes before the status on purpose: GitHub sends its OAuth errors
 * with status 200, and other servers send them with any 4xx. Field checks are the caller's.
 * Every error thrown is free of the request's `secrets`, in each encoding (see {@link redactError}).
 *
 * @throws {OAuthResponseError} for an OAuth error body, whatever the status.
 * @throws {OAuthHttpError} `OAUTH_HTTP_ERROR` for a non-2xx status without an OAuth error body.
 * @throws {AuthorizerError} `OAUTH_TIMEOUT`, `OAUTH_ABORTED`, `OAUTH_NETWORK_ERROR`,
 *   `OAUTH_RESPONSE_TOO_LARGE`, `OAUTH_INVALID_RESPONSE`, `OAUTH_INSECURE_ENDPOINT` (`localhost`
 *   resolving to a non-loopback address).
 */
export async function requestEndpoint(request: EndpointRequest): Promise<EndpointResponse> {
  try {
    return await sendAndCheck(request);
  } catch (error) {
    throw redactError(error, request.secrets ?? []);
  }
}

async function sendAndCheck(request: EndpointRequest): Promise<EndpointResponse> {
  const lib = await loadUndici();
  const settings = request.settings;
  const timeout = settings?.timeout ?? DEFAULT_TIMEOUT;
  const timeoutSignal = AbortSignal.timeout(timeout);
  const signal = request.signal ? AbortSignal.any([request.signal, timeoutSignal]) : timeoutSignal;
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': USER_AGENT,
    ...request.headers,
  };
  let body: string | undefined;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  const dispatcher = settings?.dispatcher ?? defaultDispatcherFor(lib, request.url);
  let status: number;
  let responseHeaders: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    const response = await lib.request(request.url, {
      method: request.method,
      headers,
      ...(body !== undefined && { body }),
      signal,
      ...(dispatcher && { dispatcher }),
    });
    status = response.statusCode;
    responseHeaders = response.headers;
    text = await readBody(
      response.body,
      settings?.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE,
      `the ${request.endpoint}`,
    );
  } catch (error) {
    throw networkError(error, request, timeoutSignal.aborted);
  }
  const contentType = headerText(responseHeaders, 'content-type').toLowerCase();
  const parsed = parseBody(text, contentType);
  const retryAfter = retryAfterSeconds(responseHeaders);
  if (isOAuthErrorBody(parsed)) throw oauthError(parsed, status, request, retryAfter);
  if (status < 200 || status >= 300) {
    throw new OAuthHttpError(
      status,
      `the ${request.endpoint} answered HTTP ${status} with ${describeBody(text, contentType)}`,
      {
        transient: status >= 500 || status === 429 || status === 408,
        ...(retryAfter !== undefined && { retryAfter }),
      },
    );
  }
  if (!parsed) {
    if (request.bodyOptional) return { status, headers: responseHeaders, body: {} };
    throw new AuthorizerError(
      OAUTH_INVALID_RESPONSE,
      `the ${request.endpoint} answered HTTP ${status} with ${describeBody(text, contentType)}, expected a JSON object`,
    );
  }
  return { status, headers: responseHeaders, body: parsed };
}

/** Options of {@link postToEndpoint}. */
export interface PostToEndpointOptions {
  /** The provider whose endpoint it is: its client authentication, token headers and HTTP settings. */
  provider: ProviderConfig;
  /** What the endpoint is, for messages: `token endpoint`. */
  endpoint: string;
  /** The endpoint's URL, checked by {@link checkEndpoint}. */
  url: string;
  /** The form fields of the grant or request; the client's authentication is added to a copy. */
  fields: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** A 2xx answer needs no JSON body (RFC 7009 revocation). Default: false */
  bodyOptional?: boolean;
}

/**
 * POSTs a form to an endpoint of a provider, authenticating the client, and checks the answer as
 * {@link requestEndpoint} does. The response carries the request's secrets, so that a caller
 * checking its fields can keep them out of its own errors too.
 *
 * @internal used by the flows.
 * @throws as {@link requestEndpoint}; `OAUTH_INVALID_CONFIGURATION` / `OAUTH_INSECURE_ENDPOINT` for the URL.
 */
export async function postToEndpoint(
  options: PostToEndpointOptions,
): Promise<EndpointResponse & { secrets: string[] }> {
  const { provider, endpoint } = options;
  const url = checkEndpoint(endpoint, options.url, provider.http);
  const form = { ...options.fields };
  const headers: Record<string, string> = { ...provider.tokenHeaders };
  authenticateClient(provider, form, headers);
  const secrets = secretsOf(provider, form);
  const response = await requestEndpoint({
    endpoint,
    url,
    method: 'POST',
    form,
    headers,
    settings: provider.http,
    signal: options.signal,
    secrets,
    ...(options.bodyOptional !== undefined && { bodyOptional: options.bodyOptional }),
  });
  return { ...response, secrets };
}
