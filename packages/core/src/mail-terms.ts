/**
 * The mail terms that presets and the mail adapters share, defined once here (the lowest package
 * both depend on): how a connection is secured and which SASL mechanism carries the token.
 *
 * @module
 */

/**
 * How a connection is secured: TLS from the first byte (`implicit`: 465, 993, 995), a plain
 * connection upgraded with STARTTLS/STLS (`starttls`: 587, 143, 110), or none (loopback only).
 *
 * @example
 * ```ts
 * const tls: MailTls = 'starttls'; // port 587, 143 or 110
 * ```
 */
export type MailTls = (typeof MAIL_TLS_MODES)[number];

/**
 * Every {@link MailTls}, for validation.
 *
 * @example
 * ```ts
 * if (!MAIL_TLS_MODES.includes(value)) throw new TypeError(`unknown tls mode ${value}`);
 * ```
 */
export const MAIL_TLS_MODES = Object.freeze(['implicit', 'starttls', 'none'] as const);

/**
 * The SASL mechanisms that carry an OAuth2 bearer token: Google's `XOAUTH2` and RFC 7628's
 * `OAUTHBEARER`.
 *
 * @example
 * ```ts
 * const mechanism: SaslMechanism = preset.mail?.sasl ?? 'XOAUTH2';
 * ```
 */
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * Every {@link SaslMechanism}, for validation and iteration.
 *
 * @example
 * ```ts
 * if (!SASL_MECHANISMS.includes(value)) throw new TypeError(`unknown mechanism ${value}`);
 * ```
 */
export const SASL_MECHANISMS = Object.freeze(['XOAUTH2', 'OAUTHBEARER'] as const);
