/**
 * SASL for OAuth2 bearer tokens: Google's `XOAUTH2` and RFC 7628 `OAUTHBEARER` initial responses,
 * and the JSON error challenge a server sends when it refuses a token.
 *
 * @module
 */
import { AuthorizerError, type SaslMechanism } from '@oauth-authorizer/core';
import { MAIL_INVALID_SASL_CHALLENGE } from './errors.js';

// One definition, in core (presets use it too); re-exported here, where mail code looks for it.
export { SASL_MECHANISMS, type SaslMechanism } from '@oauth-authorizer/core';

/**
 * What goes into an initial response.
 *
 * @example
 * ```ts
 * const response = saslInitialResponse('OAUTHBEARER', { user, token, host: 'imap.example.com', port: 993 });
 * ```
 */
export interface SaslCredentials {
  /** The mailbox user, usually the e-mail address. */
  user: string;
  /** The access token. */
  token: string;
  /** The server host name the client connected to (OAUTHBEARER `host`). */
  host?: string;
  /** The server port the client connected to (OAUTHBEARER `port`). */
  port?: number;
}

/**
 * A server's SASL error challenge, decoded: RFC 7628 §3.2.2 (`status`, `scope`,
 * `openid-configuration`) plus the `schemes` field Google and Microsoft send with XOAUTH2.
 *
 * @example
 * ```ts
 * const { status, scope }: SaslErrorChallenge = decodeSaslErrorChallenge(base64FromServer);
 * ```
 */
export interface SaslErrorChallenge {
  /** The error status, e.g. `invalid_token` (RFC 7628) or an HTTP-style `401`/`400` (XOAUTH2 servers). */
  status: string;
  /** The authentication schemes the server accepts, e.g. `bearer`. */
  schemes: string | undefined;
  /** The scope the server wants, e.g. `https://mail.google.com/`. */
  scope: string | undefined;
  /** Where the server's OpenID configuration is (`openid-configuration`). */
  openidConfiguration: string | undefined;
  /** Every field of the challenge as sent. */
  fields: Record<string, unknown>;
}

// A control character such as the \x01 separator would end the field early and let the rest of
// the value forge fields of its own (auth= included); none belongs in a user, token or host name.
const FORBIDDEN = /[\x00-\x1f\x7f]/;

/**
 * The rule every SASL field follows, for the adapters that hand a user or token to a client
 * library that builds the initial response itself (nodemailer): a non-empty string without
 * control characters.
 *
 * @param name The field, for the message: `user`, `token`.
 * @throws {TypeError} `SASL "user" must not contain control characters` and the like; the message
 *   never shows the value.
 * @example
 * ```ts
 * assertSaslField(options.user, 'user');
 * ```
 */
export function assertSaslField(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`SASL "${name}" must be a string, got ${typeof value}`);
  if (value.length === 0) throw new TypeError(`SASL "${name}" must not be empty`);
  if (FORBIDDEN.test(value)) throw new TypeError(`SASL "${name}" must not contain control characters`);
}

/**
 * The base64 `XOAUTH2` initial response: `user=U\x01auth=Bearer T\x01\x01`.
 *
 * @param user The mailbox user, usually the e-mail address.
 * @param token The access token.
 * @throws {TypeError} when `user` or `token` is empty or contains a control character.
 * @example
 * ```ts
 * const response = xoauth2InitialResponse('me@example.com', await manager.getAccessToken());
 * // IMAP: `AUTHENTICATE XOAUTH2 ${response}`; SMTP: `AUTH XOAUTH2 ${response}`
 * ```
 * @see https://developers.google.com/gmail/imap/xoauth2-protocol
 */
export function xoauth2InitialResponse(user: string, token: string): string {
  assertSaslField(user, 'user');
  assertSaslField(token, 'token');
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64');
}

/** Escapes a GS2 saslname: `=` and `,` delimit the header (RFC 5801 §4). */
function gs2Name(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/**
 * The base64 `OAUTHBEARER` initial response of RFC 7628: the GS2 header `n,a=U,` then
 * `\x01host=H\x01port=P\x01auth=Bearer T\x01\x01`. `host` and `port` are those the client connected
 * to; they are left out when not given.
 *
 * @throws {TypeError} when a field is empty or contains a control character, or `port` is not a port number.
 * @example
 * ```ts
 * const response = oauthBearerInitialResponse({ user: 'me@example.com', token, host: 'imap.example.com', port: 993 });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1
 */
export function oauthBearerInitialResponse(credentials: SaslCredentials): string {
  const { user, token, host, port } = credentials;
  assertSaslField(user, 'user');
  assertSaslField(token, 'token');
  const fields: string[] = [];
  if (host !== undefined) {
    assertSaslField(host, 'host');
    fields.push(`host=${host}`);
  }
  if (port !== undefined) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new TypeError(`SASL "port" must be an integer from 1 to 65535, got ${String(port)}`);
    }
    fields.push(`port=${port}`);
  }
  fields.push(`auth=Bearer ${token}`);
  return Buffer.from(`n,a=${gs2Name(user)},\x01${fields.join('\x01')}\x01\x01`, 'utf8').toString('base64');
}

/**
 * The base64 initial response of either mechanism.
 *
 * @example
 * ```ts
 * const response = saslInitialResponse('OAUTHBEARER', { user, token, host: 'pop.example.com', port: 995 });
 * ```
 */
export function saslInitialResponse(mechanism: SaslMechanism, credentials: SaslCredentials): string {
  if (mechanism === 'XOAUTH2') return xoauth2InitialResponse(credentials.user, credentials.token);
  if (mechanism === 'OAUTHBEARER') return oauthBearerInitialResponse(credentials);
  throw new TypeError(`SASL mechanism must be XOAUTH2 or OAUTHBEARER, got ${String(mechanism)}`);
}

/**
 * What the client sends after an error challenge to end the exchange, so the server sends its
 * final failure reply: `AQ==` (a lone `\x01`) for OAUTHBEARER (RFC 7628 §3.2.3), an empty response
 * for XOAUTH2 (Google's protocol).
 *
 * @example
 * ```ts
 * socket.write(`${saslErrorAcknowledgement('OAUTHBEARER')}\r\n`);
 * ```
 */
export function saslErrorAcknowledgement(mechanism: SaslMechanism): string {
  return mechanism === 'OAUTHBEARER' ? 'AQ==' : '';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

function invalidChallenge(detail: string): AuthorizerError {
  return new AuthorizerError(MAIL_INVALID_SASL_CHALLENGE, `SASL error challenge ${detail}`);
}

function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw invalidChallenge(`"${name}" must be a string, got ${typeof value}`);
  }
  return String(value);
}

/**
 * Reads an already parsed challenge object (imapflow hands one over) into a {@link SaslErrorChallenge}.
 *
 * @throws {AuthorizerError} `MAIL_INVALID_SASL_CHALLENGE` when it is not an object with a `status`.
 * @example
 * ```ts
 * const challenge = saslErrorChallengeFromObject({ status: 'invalid_token' });
 * ```
 */
export function saslErrorChallengeFromObject(value: unknown): SaslErrorChallenge {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidChallenge('must be a JSON object');
  }
  const fields = value as Record<string, unknown>;
  const status = optionalString(fields, 'status');
  if (status === undefined || status === '') throw invalidChallenge('has no "status"');
  return {
    status,
    schemes: optionalString(fields, 'schemes'),
    scope: optionalString(fields, 'scope'),
    openidConfiguration: optionalString(fields, 'openid-configuration'),
    fields,
  };
}

/**
 * Decodes the base64 JSON a server sends as its challenge when it refuses a token, e.g.
 * `eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=` → `{ status: 'invalid_token', … }`. Accepts a status that
 * is a number (`{"status":401}`) as its string.
 *
 * @param base64 The challenge as it came after `+ ` or `334 `.
 * @throws {AuthorizerError} `MAIL_INVALID_SASL_CHALLENGE` when it is not base64, not JSON, not an object, or has no `status`.
 * @example
 * ```ts
 * const { status, scope } = decodeSaslErrorChallenge('eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=');
 * // status === '401', scope === 'mail'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.2.2
 */
export function decodeSaslErrorChallenge(base64: string): SaslErrorChallenge {
  if (typeof base64 !== 'string') throw new TypeError(`challenge must be a string, got ${typeof base64}`);
  const trimmed = base64.trim();
  if (trimmed === '') throw invalidChallenge('is empty');
  if (!BASE64.test(trimmed)) throw invalidChallenge('is not base64');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch {
    throw invalidChallenge('is not base64-encoded JSON');
  }
  return saslErrorChallengeFromObject(json);
}
