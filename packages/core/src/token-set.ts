import { AuthorizerError, OAUTH_INVALID_RESPONSE, OAUTH_UNSUPPORTED_TOKEN_TYPE } from './errors.js';
import {
  describeValue,
  MAX_LIFETIME_SECONDS,
  optionalSeconds,
  optionalString,
  requiredString,
} from './field-assert.js';

/**
 * The tokens a provider issued, with the expiry made absolute. Camel-case library names for the
 * wire fields of RFC 6749 §5.1; any other field the provider sent is kept in `extra`.
 */
export interface TokenSet {
  /** The bearer (access) token. */
  accessToken: string;
  /** The token type, as sent (`Bearer` for every provider this toolkit knows). */
  tokenType: string;
  /** When the access token expires, in milliseconds since the epoch; absent when the server did not say. */
  expiresAt?: number;
  /** The refresh token, when one was issued (or kept from before). */
  refreshToken?: string;
  /** When the refresh token expires (from `refresh_token_expires_in`), in ms since the epoch. */
  refreshTokenExpiresAt?: number;
  /**
   * When the current refresh token was received, in ms since the epoch: the time of the response
   * that carried it (the authorization, or a refresh that rotated it). Kept from the old set when a
   * refresh returns no refresh token. Absent when unknown (records written before this field).
   */
  refreshTokenObtainedAt?: number;
  /** The granted scopes, space-separated, as the server sent them. */
  scope?: string;
  /** The OpenID Connect ID token, when one was issued. */
  idToken?: string;
  /** When these tokens were received, in ms since the epoch. */
  obtainedAt: number;
  /** Every other field of the token response, untouched (e.g. `ext_expires_in`). */
  extra: Record<string, unknown>;
}

/** The JSON form of a {@link TokenSet}: wire names, ISO 8601 dates. What the stores write. */
export interface TokenSetJSON {
  access_token: string;
  token_type: string;
  expires_at?: string;
  refresh_token?: string;
  refresh_token_expires_at?: string;
  refresh_token_obtained_at?: string;
  scope?: string;
  id_token?: string;
  obtained_at: string;
  extra?: Record<string, unknown>;
}

const KNOWN_FIELDS = new Set([
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'refresh_token_expires_in',
  'scope',
  'id_token',
]);

/**
 * RFC 6750 §2.1 `b64token`: the only characters a bearer token may have. Anything else (a space,
 * CR LF, a control character) would split or forge the `Authorization` header or the SASL line the
 * token is put into.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Options of {@link tokenSetFromResponse}.
 *
 * @example
 * ```ts
 * const tokens = tokenSetFromResponse(body, Date.now(), { tokenTypes: ['DPoP'] });
 * ```
 */
export interface TokenResponseOptions {
  /**
   * Token types accepted besides `Bearer` (compared without regard to case), for a caller that
   * knows how to use them. Default: none, so only `Bearer` (in any case, or no `token_type`)
   */
  tokenTypes?: readonly string[] | undefined;
}

function checkTokenType(tokenType: string, accepted: readonly string[]): void {
  const lower = tokenType.toLowerCase();
  if (lower === 'bearer' || accepted.some((type) => type.toLowerCase() === lower)) return;
  throw new AuthorizerError(
    OAUTH_UNSUPPORTED_TOKEN_TYPE,
    `token response "token_type" must be "Bearer", got ${describeValue(tokenType)}`,
    {
      hint: "a token of another type is not sent as a bearer token; name the type in the provider's tokenTypes if the caller uses it as such",
    },
  );
}

/**
 * Turns a parsed token endpoint response (RFC 6749 §5.1) into a {@link TokenSet}, checking each
 * field: `access_token` a non-empty RFC 6750 `b64token`; `token_type` `Bearer` in any case, or
 * absent (read as `Bearer`), or one of `options.tokenTypes`; `expires_in` and
 * `refresh_token_expires_in` whole seconds above zero (a numeric string is accepted), read as at
 * most 10 years.
 *
 * @param body The parsed JSON body.
 * @param now The time the response arrived. Default: `Date.now()`
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE` when a field is missing or of the wrong type
 *   or form (the message names the field, never a token); `OAUTH_UNSUPPORTED_TOKEN_TYPE` for
 *   another `token_type`.
 * @example
 * ```ts
 * const tokens = tokenSetFromResponse({ access_token: 'at-1', token_type: 'bearer', expires_in: 3600 });
 * // tokens.expiresAt === Date.now() + 3_600_000 (about)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenSetFromResponse(
  body: unknown,
  now: number = Date.now(),
  options: TokenResponseOptions = {},
): TokenSet {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AuthorizerError(OAUTH_INVALID_RESPONSE, 'token response must be a JSON object');
  }
  const response = { body: body as Record<string, unknown>, what: 'token response' };
  const record = response.body;
  const accessToken = requiredString(response, 'access_token');
  if (!B64TOKEN.test(accessToken)) {
    throw new AuthorizerError(
      OAUTH_INVALID_RESPONSE,
      'token response "access_token" must be an RFC 6750 b64token (letters, digits, -._~+/ and trailing =), got other characters',
    );
  }
  const tokenType = optionalString(response, 'token_type') ?? 'Bearer';
  checkTokenType(tokenType, options.tokenTypes ?? []);
  const expiresIn = optionalSeconds(response, 'expires_in');
  const refreshExpiresIn = optionalSeconds(response, 'refresh_token_expires_in');
  const refreshToken = optionalString(response, 'refresh_token');
  const scope = optionalString(response, 'scope');
  const idToken = optionalString(response, 'id_token');
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!KNOWN_FIELDS.has(key)) extra[key] = value;
  return {
    accessToken,
    tokenType,
    ...(expiresIn !== undefined && { expiresAt: now + expiresIn * 1000 }),
    ...(refreshToken !== undefined && refreshToken !== '' && { refreshToken, refreshTokenObtainedAt: now }),
    ...(refreshExpiresIn !== undefined && { refreshTokenExpiresAt: now + refreshExpiresIn * 1000 }),
    ...(scope !== undefined && { scope }),
    ...(idToken !== undefined && idToken !== '' && { idToken }),
    obtainedAt: now,
    extra,
  };
}

/**
 * `tokens` with every instant a `Date` can hold and the store can write: an expiry further than
 * 10 years after `obtainedAt` (or not a finite number) becomes 10 years after it. For token sets
 * that did not come through {@link tokenSetFromResponse}, e.g. from an injected refresh function.
 *
 * @example
 * ```ts
 * await store.set({ account, tokens: boundedTokenSet(await refresh()) });
 * ```
 */
export function boundedTokenSet(tokens: TokenSet): TokenSet {
  const latest = tokens.obtainedAt + MAX_LIFETIME_SECONDS * 1000;
  const bound = (ms: number | undefined) =>
    ms === undefined || (Number.isFinite(ms) && ms <= latest) ? ms : latest;
  const expiresAt = bound(tokens.expiresAt);
  const refreshTokenExpiresAt = bound(tokens.refreshTokenExpiresAt);
  if (expiresAt === tokens.expiresAt && refreshTokenExpiresAt === tokens.refreshTokenExpiresAt) return tokens;
  return {
    ...tokens,
    ...(expiresAt !== undefined && { expiresAt }),
    ...(refreshTokenExpiresAt !== undefined && { refreshTokenExpiresAt }),
  };
}

/**
 * The seconds an access token has left; `Infinity` when the server gave no expiry.
 *
 * @param now Default: `Date.now()`
 */
export function secondsLeft(tokens: TokenSet, now: number = Date.now()): number {
  return tokens.expiresAt === undefined ? Number.POSITIVE_INFINITY : (tokens.expiresAt - now) / 1000;
}

/**
 * The instant until which `tokens` may be handed out to a caller that needs `minValidity` more
 * seconds: `minValidity` before expiry, but never more than half the token's lifetime before it,
 * so that tokens that live only seconds (tests, demos, some providers) are not refreshed on every
 * call. `Infinity` when the server gave no expiry. The token manager and the CLI's cached read
 * share this rule.
 *
 * @param minValidity Seconds.
 * @example
 * ```ts
 * if (Date.now() < freshUntil(tokens, 60)) use(tokens.accessToken);
 * ```
 */
export function freshUntil(tokens: Pick<TokenSet, 'expiresAt' | 'obtainedAt'>, minValidity: number): number {
  if (tokens.expiresAt === undefined) return Number.POSITIVE_INFINITY;
  const lifetime = Math.max(0, tokens.expiresAt - tokens.obtainedAt);
  return tokens.expiresAt - Math.min(minValidity * 1000, lifetime / 2);
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/**
 * Serialises a {@link TokenSet} to its JSON form (wire names, ISO 8601 dates).
 *
 * @example
 * ```ts
 * await writeFile('tokens.json', JSON.stringify(tokenSetToJSON(tokens)), { mode: 0o600 });
 * // {"access_token":"…","token_type":"Bearer","obtained_at":"2026-12-07T22:43:00.000Z","expires_at":…}
 * ```
 */
export function tokenSetToJSON(tokens: TokenSet): TokenSetJSON {
  const json: TokenSetJSON = {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    obtained_at: new Date(tokens.obtainedAt).toISOString(),
  };
  const expiresAt = iso(tokens.expiresAt);
  if (expiresAt) json.expires_at = expiresAt;
  if (tokens.refreshToken) json.refresh_token = tokens.refreshToken;
  const refreshExpiresAt = iso(tokens.refreshTokenExpiresAt);
  if (refreshExpiresAt) json.refresh_token_expires_at = refreshExpiresAt;
  const refreshObtainedAt = iso(tokens.refreshTokenObtainedAt);
  if (refreshObtainedAt) json.refresh_token_obtained_at = refreshObtainedAt;
  if (tokens.scope !== undefined) json.scope = tokens.scope;
  if (tokens.idToken) json.id_token = tokens.idToken;
  if (Object.keys(tokens.extra).length > 0) json.extra = tokens.extra;
  return json;
}

function parseDate(json: Record<string, unknown>, field: string): number | undefined {
  const value = json[field];
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`token set "${field}" must be an ISO 8601 date`);
  return ms;
}

/**
 * Reads the JSON form written by {@link tokenSetToJSON}.
 *
 * @throws {TypeError} when `json` is not a serialised token set; the message names the field.
 * @example
 * ```ts
 * const tokens = tokenSetFromJSON(JSON.parse(await readFile('tokens.json', 'utf8')));
 * console.log(new Date(tokens.expiresAt ?? Number.NaN).toISOString());
 * ```
 */
export function tokenSetFromJSON(json: unknown): TokenSet {
  if (typeof json !== 'object' || json === null) throw new TypeError('token set must be an object');
  const record = json as Record<string, unknown>;
  for (const field of ['access_token', 'token_type'] as const) {
    if (typeof record[field] !== 'string') throw new TypeError(`token set "${field}" must be a string`);
  }
  for (const field of ['refresh_token', 'scope', 'id_token'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'string') {
      throw new TypeError(`token set "${field}" must be a string`);
    }
  }
  const extra = record.extra ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new TypeError('token set "extra" must be an object');
  }
  const expiresAt = parseDate(record, 'expires_at');
  const refreshTokenExpiresAt = parseDate(record, 'refresh_token_expires_at');
  const refreshTokenObtainedAt = parseDate(record, 'refresh_token_obtained_at');
  return {
    accessToken: record.access_token as string,
    tokenType: record.token_type as string,
    ...(expiresAt !== undefined && { expiresAt }),
    ...(typeof record.refresh_token === 'string' && { refreshToken: record.refresh_token }),
    ...(refreshTokenExpiresAt !== undefined && { refreshTokenExpiresAt }),
    ...(refreshTokenObtainedAt !== undefined && { refreshTokenObtainedAt }),
    ...(typeof record.scope === 'string' && { scope: record.scope }),
    ...(typeof record.id_token === 'string' && { idToken: record.id_token }),
    obtainedAt: parseDate(record, 'obtained_at') ?? 0,
    extra: extra as Record<string, unknown>,
  };
}
