/**
 * The listener's checks of a request, as pure functions: whether it may be the callback at all
 * (method, length, target form, path), and whether it carries the authorization request's state.
 * What they refuse gets a short page; only a request that passes both ends the wait.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';

/** What the listener expects of the callback. */
export interface ExpectedCallback {
  /** Scheme, host and the port listened on, e.g. `http://127.0.0.1:49152`. */
  origin: string;
  /** The path the callback must arrive on, e.g. `/callback`. */
  path: string;
  /** The longest request target (path and query) accepted, in characters. */
  maxUrlLength: number;
}

/** The answer to a request that is not the callback: a status and a short page. */
export interface Refusal {
  status: number;
  title: string;
  message: string;
  /** Whether the connection is closed after the answer. */
  close: boolean;
  /** The `allow` header of a 405. */
  allow?: string;
}

/** The verdict on a request: refused, or a candidate callback with its full URL. */
export type RequestVerdict =
  | { refusal: Refusal; callback?: undefined }
  | { refusal?: undefined; callback: URL };

/**
 * Checks a request's method and target, in this order: too long (414), not GET (405, the body is
 * not read), not origin-form such as a proxy-style absolute URL (400), another path (404).
 *
 * @param method The request method (`req.method`).
 * @param url The request target as received (`req.url`): `/path?query`.
 * @example
 * ```ts
 * const expected = { origin: 'http://127.0.0.1:49152', path: '/callback', maxUrlLength: 8192 };
 * checkRequest('GET', '/callback?code=c&state=s', expected).callback?.searchParams.get('code'); // 'c'
 * checkRequest('GET', '/favicon.ico', expected).refusal?.status; // 404
 * ```
 */
export function checkRequest(
  method: string | undefined,
  url: string,
  expected: ExpectedCallback,
): RequestVerdict {
  if (url.length > expected.maxUrlLength)
    return { refusal: refusal(414, 'URI too long', 'The address of this request is too long.', true) };
  if (method !== 'GET') {
    // The body of a POST is not read: closing the connection is simpler than draining it.
    return {
      refusal: {
        ...refusal(405, 'Method not allowed', 'Only the browser redirect (GET) is accepted here.', true),
        allow: 'GET',
      },
    };
  }
  // Only origin-form targets ("/path?query"): a proxy-style absolute URL is not a redirect.
  if (!url.startsWith('/'))
    return { refusal: refusal(400, 'Bad request', 'This request could not be read.', false) };
  const callback = new URL(`${expected.origin}${url}`);
  if (callback.pathname !== expected.path)
    return { refusal: refusal(404, 'Not found', 'There is nothing here.', false) };
  return { callback };
}

/**
 * Checks that a candidate callback carries exactly one `state`, equal (in constant time) to the
 * authorization request's; `undefined` when it does.
 *
 * @example
 * ```ts
 * checkState(new URL('http://127.0.0.1/callback?code=c'), Buffer.from('s'))?.title; // 'Missing state'
 * ```
 */
export function checkState(callback: URL, expected: Buffer): Refusal | undefined {
  const states = callback.searchParams.getAll('state');
  const [state] = states;
  if (state === undefined)
    return refusal(400, 'Missing state', 'This response carries no "state": it is not the sign-in.', false);
  if (states.length !== 1 || !sameState(expected, state))
    return refusal(400, 'Unexpected state', 'This response belongs to another sign-in.', false);
  return undefined;
}

/**
 * What `validate` threw for `callback`, boxed (anything may be thrown); `undefined` when it
 * passed or there is none.
 *
 * @example
 * ```ts
 * const refused = validationRefusal(validate, callback);
 * if (refused) reject(refused.error);
 * ```
 */
export function validationRefusal(
  validate: ((callback: URL) => void) | undefined,
  callback: URL,
): { error: unknown } | undefined {
  if (validate === undefined) return undefined;
  try {
    // A copy: the check must not change the URL the wait resolves with.
    validate(new URL(callback.href));
    return undefined;
  } catch (error) {
    return { error };
  }
}

function refusal(status: number, title: string, message: string, close: boolean): Refusal {
  return { status, title, message, close };
}

function sameState(expected: Buffer, received: string): boolean {
  const candidate = Buffer.from(received, 'utf8');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
