/**
 * The field checks of every server response core reads (token and device authorization responses),
 * one rule per wire type, in oauth4webapi's pattern: each helper names the response and the field
 * it checks (`token response "expires_in"`) and says what was expected and what came ("got X"),
 * never the value of a field that may hold a secret.
 *
 * @module
 */
import { AuthorizerError, OAUTH_INVALID_RESPONSE } from './errors.js';

/**
 * The longest lifetime accepted, in seconds: 10 years. A longer `expires_in` (a server sent `1e20`)
 * is read as this: past about 285 000 years a `Date` is invalid, and nothing would be stored.
 */
export const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 60 * 60;

/** What a checked field held, for a message: a string quoted (cut to 40 characters, escapes shown), a number as written, else its type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function invalid(message: string): AuthorizerError {
  return new AuthorizerError(OAUTH_INVALID_RESPONSE, message);
}

/**
 * The fields of one response, for the helpers below: the parsed body and what it is, for
 * messages (`token response`, `device authorization response`).
 */
export interface ResponseFields {
  body: Record<string, unknown>;
  /** What the response is: `token response`. */
  what: string;
}

/**
 * Reads a field that must be a non-empty string. The message names the type that came, never the
 * value: it may be a token.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE`: `token response has no "access_token"`,
 *   `token response "access_token" must be a non-empty string, got number`.
 */
export function requiredString(response: ResponseFields, field: string): string {
  const value = response.body[field];
  if (typeof value !== 'string' || value === '') {
    throw invalid(
      value === undefined
        ? `${response.what} has no "${field}"`
        : `${response.what} "${field}" must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    );
  }
  return value;
}

/**
 * Reads an optional string field: absent (`undefined` or `null`) gives `undefined`.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE` for any other type (the type is named, not the value).
 */
export function optionalString(response: ResponseFields, field: string): string | undefined {
  const value = response.body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalid(`${response.what} "${field}" must be a string, got ${typeof value}`);
  return value;
}

/**
 * Reads a lifetime or interval in seconds (RFC 6749 §5.1 `expires_in`, RFC 8628 §3.2 `expires_in`
 * and `interval`): a whole number above zero, as a JSON number or, as some providers send it, a
 * numeric string. Longer than {@link MAX_LIFETIME_SECONDS} (up to a JSON number too large for a
 * double) is read as that.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE`: `… "expires_in" must be a number, got "soon"`
 *   for another type, `… "expires_in" must be a number above zero and whole, got 3600.5` for
 *   another number.
 */
export function optionalSeconds(response: ResponseFields, field: string): number | undefined {
  const value = response.body[field];
  if (value === undefined || value === null) return undefined;
  const it = `${response.what} "${field}"`;
  const number = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw invalid(`${it} must be a number, got ${describeValue(value)}`);
  }
  if (number === Number.POSITIVE_INFINITY) return MAX_LIFETIME_SECONDS;
  if (!Number.isInteger(number) || number <= 0) {
    throw invalid(`${it} must be a number above zero and whole, got ${describeValue(value)}`);
  }
  return Math.min(number, MAX_LIFETIME_SECONDS);
}

/** {@link optionalSeconds} for a field that must be there. */
export function requiredSeconds(response: ResponseFields, field: string): number {
  const seconds = optionalSeconds(response, field);
  if (seconds === undefined) throw invalid(`${response.what} has no "${field}"`);
  return seconds;
}
