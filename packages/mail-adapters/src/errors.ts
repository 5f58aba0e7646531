/**
 * Errors of the mail adapters. Every one is an {@link AuthorizerError} from core with a stable
 * `code`: core's codes where the meaning is the same (`OAUTH_TOKEN_REJECTED`, `OAUTH_TIMEOUT`,
 * `OAUTH_NETWORK_ERROR`, `OAUTH_ABORTED`), and the `MAIL_`-prefixed codes below for the rest. No
 * message, field or cause ever holds an access token.
 *
 * @module
 */
import { AuthorizerError, type AuthorizerErrorOptions, OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import type { SaslErrorChallenge, SaslMechanism } from './sasl.js';

/** Authentication failed for a reason other than the token: the server offers no OAuth2 mechanism, or answered outside the protocol. */
export const MAIL_AUTH_FAILED = 'MAIL_AUTH_FAILED';
/** The server's SASL error challenge is not base64-encoded JSON with a `status` (RFC 7628 §3.2.2). */
export const MAIL_INVALID_SASL_CHALLENGE = 'MAIL_INVALID_SASL_CHALLENGE';
/** The POP3 server answered a command with `-ERR`. */
export const POP3_ERROR = 'MAIL_POP3_ERROR';
/** The mail server's reply does not follow the protocol (no `+OK`/`-ERR`, an over-long line, data after STLS). */
export const MAIL_PROTOCOL_ERROR = 'MAIL_PROTOCOL_ERROR';
/** STARTTLS/STLS was asked for and the server does not offer it; the adapters never fall back to plain text. */
export const MAIL_TLS_UNAVAILABLE = 'MAIL_TLS_UNAVAILABLE';
/** An optional peer dependency (`nodemailer` or `imapflow`) is not installed. */
export const MAIL_PEER_MISSING = 'MAIL_PEER_MISSING';
/** A server's reply (a POP3 multi-line reply or message, an IMAP literal or response) is larger than the client's limit allows. */
export const MAIL_RESPONSE_TOO_LARGE = 'MAIL_RESPONSE_TOO_LARGE';

/**
 * The protocol an adapter speaks.
 *
 * @example
 * ```ts
 * if (error instanceof MailAuthenticationError && error.protocol === 'smtp') console.error(error.serverReply);
 * ```
 */
export type MailProtocol = 'smtp' | 'imap' | 'pop3';

/**
 * Options of {@link MailAuthenticationError}.
 *
 * @example
 * ```ts
 * throw new MailAuthenticationError('server rejected the token', { protocol: 'pop3', user, serverReply: '-ERR [AUTH] failed' });
 * ```
 */
export interface MailAuthenticationErrorOptions extends AuthorizerErrorOptions {
  /** `OAUTH_TOKEN_REJECTED` (the default) when the server refused the token, else `MAIL_AUTH_FAILED`. */
  code?: typeof OAUTH_TOKEN_REJECTED | typeof MAIL_AUTH_FAILED;
  /** The protocol of the connection. */
  protocol: MailProtocol;
  /** The user the adapter authenticated as. */
  user: string;
  /** The SASL mechanism used, when known. */
  mechanism?: SaslMechanism | undefined;
  /** The server's final reply, e.g. `-ERR [AUTH] Authentication failed.` */
  serverReply?: string | undefined;
  /** The server's decoded SASL error challenge, when it sent one. */
  challenge?: SaslErrorChallenge | undefined;
  /** Whether a second attempt with a replacement token was made (and failed too). */
  retried?: boolean;
}

/**
 * A mail server refused to authenticate. With code `OAUTH_TOKEN_REJECTED` the server rejected the
 * access token, after the adapter had already replaced it once (`retried`), or the replacement
 * could not be had (`cause` is then the refresh error, e.g. `OAUTH_AUTHORIZATION_REQUIRED`). With
 * `MAIL_AUTH_FAILED` the problem was not the token (no OAuth2 mechanism offered, a protocol error).
 * Carries the server's reply and its decoded challenge, never the token.
 *
 * @example
 * ```ts
 * try {
 *   await connectPop3(manager, { user, host, port: 995, tls: 'implicit' });
 * } catch (error) {
 *   if (error instanceof MailAuthenticationError) console.error(error.serverReply, error.challenge?.status);
 * }
 * ```
 */
export class MailAuthenticationError extends AuthorizerError {
  /** The protocol of the connection. */
  readonly protocol: MailProtocol;
  /** The user the adapter authenticated as. */
  readonly user: string;
  /** The SASL mechanism used, when known. */
  readonly mechanism: SaslMechanism | undefined;
  /** The server's final reply to the authentication, when there was one. */
  readonly serverReply: string | undefined;
  /** The server's decoded SASL error challenge (`status`, `schemes`, `scope`), when it sent one. */
  readonly challenge: SaslErrorChallenge | undefined;
  /** Whether the adapter had already retried once with a replacement token. */
  readonly retried: boolean;

  constructor(message: string, options: MailAuthenticationErrorOptions) {
    super(options.code ?? OAUTH_TOKEN_REJECTED, message, options);
    this.name = 'MailAuthenticationError';
    this.protocol = options.protocol;
    this.user = options.user;
    this.mechanism = options.mechanism;
    this.serverReply = options.serverReply;
    this.challenge = options.challenge;
    this.retried = options.retried ?? false;
  }

  /** A copy of this error with other options (e.g. `retried`, or the refresh error as `cause`). */
  with(
    options: Partial<MailAuthenticationErrorOptions>,
    message: string = this.message,
  ): MailAuthenticationError {
    return new MailAuthenticationError(message, {
      code: this.code as typeof OAUTH_TOKEN_REJECTED,
      protocol: this.protocol,
      user: this.user,
      mechanism: this.mechanism,
      serverReply: this.serverReply,
      challenge: this.challenge,
      retried: this.retried,
      transient: this.transient,
      ...(this.hint !== undefined && { hint: this.hint }),
      ...(this.cause !== undefined && { cause: this.cause }),
      ...options,
    });
  }
}

/**
 * Whether a POP3 response code says the failure is temporary (RFC 3206, RFC 2449 §8.1): the server
 * cannot check credentials right now (`SYS/TEMP`), the mailbox is busy (`IN-USE`), or the user
 * logs in too often (`LOGIN-DELAY`). Trying again later may work; a new token would not help.
 *
 * @example
 * ```ts
 * isTransientPop3ResponseCode('SYS/TEMP'); // true
 * isTransientPop3ResponseCode('AUTH'); // false
 * ```
 */
export function isTransientPop3ResponseCode(responseCode: string | undefined): boolean {
  return responseCode === 'SYS/TEMP' || responseCode === 'IN-USE' || responseCode === 'LOGIN-DELAY';
}

/**
 * A POP3 server answered `-ERR`. `responseCode` is the bracketed response code of RFC 2449/3206
 * (`AUTH`, `SYS/TEMP`, `IN-USE`, `LOGIN-DELAY`), when the server sent one.
 *
 * @example
 * ```ts
 * try { await pop3.retrieveMessage(99); }
 * catch (error) { if (error instanceof Pop3Error) console.error(error.command, error.reply); }
 * ```
 */
export class Pop3Error extends AuthorizerError {
  /** The command that failed, without its arguments (e.g. `RETR`). */
  readonly command: string;
  /** The server's text after `-ERR`. */
  readonly reply: string;
  /** The response code in brackets, e.g. `SYS/TEMP`, when the server sent one. */
  readonly responseCode: string | undefined;

  constructor(
    command: string,
    reply: string,
    responseCode: string | undefined,
    options: AuthorizerErrorOptions = {},
  ) {
    super(POP3_ERROR, `POP3 server answered ${command} with -ERR${reply ? ` ${reply}` : ''}`, {
      transient: isTransientPop3ResponseCode(responseCode),
      ...options,
    });
    this.name = 'Pop3Error';
    this.command = command;
    this.reply = reply;
    this.responseCode = responseCode;
  }
}

/**
 * Options of {@link MailResponseTooLargeError}.
 *
 * @example
 * ```ts
 * throw new MailResponseTooLargeError('POP3 server sent a CAPA reply larger than 1048576 bytes', { protocol: 'pop3', limit: 1048576, option: 'maxResponseSize' });
 * ```
 */
export interface MailResponseTooLargeErrorOptions extends AuthorizerErrorOptions {
  /** The protocol of the connection. */
  protocol: MailProtocol;
  /** The limit that was exceeded, in bytes (or tokens, for imapflow's `maxResponseTokens`). */
  limit: number;
  /** The option that sets the limit, e.g. `maxResponseSize`. */
  option: string;
}

/**
 * A server sent more than the client accepts in one reply: code `MAIL_RESPONSE_TOO_LARGE`. The
 * message names the limit and the option that raises it; the connection is closed, since the rest
 * of the reply may never end.
 *
 * @example
 * ```ts
 * try { await pop3.retrieveMessage(1); }
 * catch (error) { if (error instanceof MailResponseTooLargeError) console.error(`raise ${error.option} above ${error.limit}`); }
 * ```
 */
export class MailResponseTooLargeError extends AuthorizerError {
  /** The protocol of the connection. */
  readonly protocol: MailProtocol;
  /** The limit that was exceeded. */
  readonly limit: number;
  /** The option that sets the limit. */
  readonly option: string;

  constructor(message: string, options: MailResponseTooLargeErrorOptions) {
    super(MAIL_RESPONSE_TOO_LARGE, message, options);
    this.name = 'MailResponseTooLargeError';
    this.protocol = options.protocol;
    this.limit = options.limit;
    this.option = options.option;
  }
}

// Redaction is core's, one rule for every package (raw, URL-, form- and base64-encoded forms).
export { redact } from '@oauth-authorizer/core';
