/**
 * SASL initial responses that carry a bearer token. Kept in the CLI (a dozen lines) so that
 * `oauth-authorizer sasl` does not pull in the mail adapters.
 */

/** The SASL mechanisms that carry a bearer token. */
export type BearerMechanism = 'xoauth2' | 'oauthbearer';

/**
 * The base64 initial response of SASL `XOAUTH2` (Google's and Microsoft's format):
 * `user=<user>^Aauth=Bearer <token>^A^A`.
 *
 * @see https://developers.google.com/gmail/imap/xoauth2-protocol
 *
 * @example
 * ```ts
 * const response = xoauth2InitialResponse('me@gmail.com', accessToken); // for AUTHENTICATE XOAUTH2
 * ```
 */
export function xoauth2InitialResponse(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\u0001auth=Bearer ${accessToken}\u0001\u0001`, 'utf8').toString('base64');
}

/**
 * The base64 initial response of SASL `OAUTHBEARER` (RFC 7628 §3.1):
 * `n,a=<user>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A`; host and port only when known.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1
 *
 * @example
 * ```ts
 * oauthbearerInitialResponse('me@example.com', accessToken, { host: 'imap.example.com', port: 993 });
 * ```
 */
export function oauthbearerInitialResponse(
  user: string,
  accessToken: string,
  server: { host?: string | undefined; port?: number | undefined } = {},
): string {
  // RFC 5801 §4: "," and "=" in the authorization identity are escaped as =2C and =3D.
  const identity = user.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const fields = [
    ...(server.host ? [`host=${server.host}`] : []),
    ...(server.port !== undefined ? [`port=${server.port}`] : []),
    `auth=Bearer ${accessToken}`,
  ];
  return Buffer.from(`n,a=${identity},\u0001${fields.join('\u0001')}\u0001\u0001`, 'utf8').toString('base64');
}
