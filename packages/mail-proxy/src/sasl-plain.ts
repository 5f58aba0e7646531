/**
 * The client side's plain credentials: SASL PLAIN (RFC 4616) as SMTP, IMAP and POP3 carry it,
 * and the base64 answers of SMTP AUTH LOGIN.
 *
 * @module
 */

/** A user name and password a local client sent. */
export interface PlainCredentials {
  user: string;
  password: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 strictly; `undefined` for anything else. */
export function decodeBase64(text: string): string | undefined {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}

/**
 * Decodes a base64 SASL PLAIN message `[authzid] NUL authcid NUL passwd`. An authorization
 * identity other than empty or the user itself is refused: the proxy does not act for others.
 *
 * @returns `undefined` when it is not a valid PLAIN message.
 * @see https://www.rfc-editor.org/rfc/rfc4616#section-2
 */
export function decodeSaslPlain(base64: string): PlainCredentials | undefined {
  const decoded = decodeBase64(base64);
  if (decoded === undefined) return undefined;
  const parts = decoded.split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, user, password] = parts as [string, string, string];
  if (user === '' || (authzid !== '' && authzid !== user)) return undefined;
  return { user, password };
}
