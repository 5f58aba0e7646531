/**
 * nodemailer (SMTP) with self-refreshing tokens.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import { OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import type * as Nodemailer from 'nodemailer';
import {
  type AccessTokenSource,
  assertAccessTokenSource,
  replacementToken,
  type TokenRequestOptions,
  tokenRequest,
} from './access-token-source.js';
import { MAIL_AUTH_FAILED, MailAuthenticationError, redact } from './errors.js';
import { checkMailServer, defaultTls, type MailTls, type TransportSecurityOptions } from './mail-server.js';
import { loadPeer } from './peer-modules.js';
import { assertSaslField } from './sasl.js';

/**
 * nodemailer's token provisioning hook: `callback(error, accessToken, expires)`.
 *
 * @example
 * ```ts
 * const { provisionCallback } = createNodemailerAuth(manager, { user });
 * provisionCallback(user, false, (error, token) => console.log(error ?? 'got a token'));
 * ```
 */
export type NodemailerProvisionCallback = (
  user: string,
  renew: boolean,
  callback: (error: Error | null, accessToken?: string, expires?: number) => void,
) => void;

/**
 * What nodemailer takes as `auth` for OAuth2 with a provisioning hook.
 *
 * @example
 * ```ts
 * const auth: NodemailerOAuth2Auth = createNodemailerAuth(manager, { user: 'me@example.com' });
 * ```
 */
export interface NodemailerOAuth2Auth {
  type: 'OAuth2';
  user: string;
  provisionCallback: NodemailerProvisionCallback;
}

/**
 * Options of {@link createNodemailerAuth}.
 *
 * @example
 * ```ts
 * const auth = createNodemailerAuth(manager, { user: 'me@example.com', minValidity: 120 });
 * ```
 */
export interface NodemailerAuthOptions extends TokenRequestOptions {
  /** The mailbox user, usually the e-mail address; must match the token's owner. */
  user: string;
}

/**
 * The SMTP transporter nodemailer returns (`nodemailer.createTransport` with SMTP options).
 *
 * @example
 * ```ts
 * const transport: SmtpTransporter = await createSmtpTransport(manager, { user, host: 'smtp.example.com', port: 587 });
 * ```
 */
export type SmtpTransporter = ReturnType<typeof Nodemailer.createTransport>;

/**
 * Options of {@link createSmtpTransport}.
 *
 * @example
 * ```ts
 * const options: SmtpTransportOptions = { user: 'me@example.com', host: 'smtp.example.com', port: 587, tls: 'starttls', pool: true, maxMessages: 50 };
 * ```
 */
export interface SmtpTransportOptions extends NodemailerAuthOptions, TransportSecurityOptions {
  /** The server host name or address. */
  host: string;
  /** The server port. */
  port: number;
  /** How the connection is secured (`starttls` requires the upgrade). Default: `implicit` on port 465, else `starttls` */
  tls?: MailTls;
  /** Options for `tls.connect` (`ca`, `servername`, `minVersion`, …). */
  tlsOptions?: ConnectionOptions;
  /** Keep connections open and reuse them (nodemailer's `pool`). Default: false */
  pool?: boolean;
  /** Pooled connections at most. Default: nodemailer's (5) */
  maxConnections?: number;
  /** Messages per pooled connection before it is replaced (and logs in again). Default: nodemailer's (100) */
  maxMessages?: number;
  /** Any other nodemailer SMTP option (`name`, `logger`, `connectionTimeout`, …); the settings above win. */
  transportOptions?: Record<string, unknown>;
}

interface AuthState {
  source: AccessTokenSource;
  options: TokenRequestOptions;
  user: string;
  /** The token handed out last: the one a server most likely just rejected. */
  lastToken: string | undefined;
  /** How often nodemailer asked for a replacement after a rejection. */
  renewals: number;
}

const states = new WeakMap<NodemailerOAuth2Auth, AuthState>();
/** Marks the error handed to nodemailer when no token could be had, since nodemailer overwrites `code`. */
const PROVISION_FAILURE = Symbol('oauth-authorizer.provision-failure');

interface ProvisionFailure extends Error {
  [PROVISION_FAILURE]: { error: unknown; renew: boolean };
}

function provisionFailure(error: unknown, renew: boolean): ProvisionFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const failure = new Error(`could not get an access token: ${reason}`, { cause: error }) as ProvisionFailure;
  failure[PROVISION_FAILURE] = { error, renew };
  return failure;
}

/**
 * nodemailer's `auth` for OAuth2, backed by `source`: every connection, pooled or not, asks for a
 * token when it logs in (nodemailer's own cache is bypassed, so the source's expiry rules apply).
 * When the server rejects a token with a SASL challenge, nodemailer calls the hook with
 * `renew = true` and tries once more; the hook answers with a replacement token (a forced refresh,
 * unless the source already holds a newer one), so the retry is not wasted on the same token. A
 * second rejection ends in nodemailer's `EAUTH` error; there is no loop.
 *
 * @param source A `TokenManager`, or any {@link AccessTokenSource}.
 * @throws {TypeError} for a missing `user` or a source without `getAccessToken`.
 * @example
 * ```ts
 * import nodemailer from 'nodemailer';
 * const transport = nodemailer.createTransport({
 *   host: 'smtp.example.com', port: 587, requireTLS: true,
 *   auth: createNodemailerAuth(manager, { user: 'me@example.com' }),
 * });
 * ```
 */
export function createNodemailerAuth(
  source: AccessTokenSource,
  options: NodemailerAuthOptions,
): NodemailerOAuth2Auth {
  assertAccessTokenSource(source);
  const { user } = options;
  if (typeof user !== 'string' || user === '') throw new TypeError('SMTP "user" must be a non-empty string');
  // nodemailer builds the XOAUTH2 response itself and checks nothing: a \x01 in the user would
  // end its field and forge the rest (`auth=Bearer …`), as the SASL builder refuses for IMAP and POP3.
  assertSaslField(user, 'user');
  const tokenOptions: TokenRequestOptions = {
    ...(options.minValidity !== undefined && { minValidity: options.minValidity }),
    ...(options.signal !== undefined && { signal: options.signal }),
  };
  const state: AuthState = { source, options: tokenOptions, user, lastToken: undefined, renewals: 0 };
  const auth: NodemailerOAuth2Auth = {
    type: 'OAuth2',
    user,
    provisionCallback(_user, renew, callback) {
      let pending: Promise<string>;
      if (renew) {
        state.renewals += 1;
        pending =
          state.lastToken === undefined
            ? source.getAccessToken(tokenRequest(tokenOptions, true))
            : replacementToken(source, state.lastToken, tokenOptions);
      } else {
        pending = source.getAccessToken(tokenRequest(tokenOptions));
      }
      pending.then(
        (token) => {
          try {
            assertSaslField(token, 'token');
          } catch (error) {
            callback(provisionFailure(error, renew));
            return;
          }
          state.lastToken = token;
          // An expiry in the past (1 ms after the epoch) keeps nodemailer from caching the token:
          // it asks again for each connection, and the source decides when to refresh.
          callback(null, token, 1);
        },
        (error: unknown) => callback(provisionFailure(error, renew)),
      );
    },
  };
  states.set(auth, state);
  return auth;
}

interface NodemailerError {
  code?: unknown;
  response?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

/** Turns nodemailer's authentication errors into ours; any other error passes through. */
function toMailError(error: unknown, state: AuthState, retried: boolean): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const marked = (error as Partial<ProvisionFailure>)[PROVISION_FAILURE];
  if (marked) {
    // No token in the first place: the source's own error (e.g. OAUTH_AUTHORIZATION_REQUIRED) says it best.
    if (!marked.renew) return marked.error;
    const reason = marked.error instanceof Error ? marked.error.message : String(marked.error);
    const hint = (marked.error as { hint?: unknown } | undefined)?.hint;
    return new MailAuthenticationError(
      `SMTP server rejected the access token for ${state.user}; getting a new token failed: ${reason}`,
      {
        protocol: 'smtp',
        user: state.user,
        mechanism: 'XOAUTH2',
        cause: marked.error,
        ...(typeof hint === 'string' && { hint }),
      },
    );
  }
  const failure = error as NodemailerError;
  if (failure.code !== 'EAUTH') return error;
  const serverReply =
    typeof failure.response === 'string' ? redact(failure.response, state.lastToken) : undefined;
  const status = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  // RFC 4954 §6: 535 is "credentials invalid"; 454 is a temporary failure and 5xx others (504
  // unknown mechanism, 534 too weak) are not about the token.
  const tokenRejected = status === 535;
  const transient = status === 454;
  const reason =
    serverReply ?? (typeof failure.message === 'string' ? failure.message : 'authentication failed');
  return new MailAuthenticationError(
    tokenRejected
      ? `SMTP server rejected the access token for ${state.user}: ${reason}${retried ? ' (again, after getting a new token)' : ''}`
      : `SMTP server could not log ${state.user} in: ${redact(reason, state.lastToken)}`,
    {
      code: tokenRejected ? OAUTH_TOKEN_REJECTED : MAIL_AUTH_FAILED,
      transient,
      protocol: 'smtp',
      user: state.user,
      mechanism: 'XOAUTH2',
      serverReply,
      retried,
      cause: error,
    },
  );
}

/**
 * Runs one SMTP operation under the retry-once rule. nodemailer retries by itself after a SASL
 * challenge (the hook then counts a renewal); a server that answers 535 without a challenge
 * (Outlook does) gets no retry from nodemailer, so this does it: one replacement token, one retry.
 */
async function withSmtpRetry<T>(state: AuthState, run: () => Promise<T>): Promise<T> {
  const renewalsBefore = state.renewals;
  let rejection: MailAuthenticationError;
  try {
    return await run();
  } catch (error) {
    const renewed = state.renewals !== renewalsBefore;
    const mapped = toMailError(error, state, renewed);
    // After a renewal nodemailer has already spent the one retry.
    if (renewed || !(mapped instanceof MailAuthenticationError) || mapped.code !== OAUTH_TOKEN_REJECTED)
      throw mapped;
    rejection = mapped;
  }
  try {
    await (state.lastToken === undefined
      ? state.source.getAccessToken(tokenRequest(state.options, true))
      : replacementToken(state.source, state.lastToken, state.options));
  } catch (refreshError) {
    const reason = refreshError instanceof Error ? refreshError.message : String(refreshError);
    const hint = (refreshError as { hint?: unknown }).hint;
    throw rejection.with(
      { cause: refreshError, ...(typeof hint === 'string' && { hint }) },
      `${rejection.message}; getting a new token failed: ${reason}`,
    );
  }
  try {
    return await run();
  } catch (error) {
    throw toMailError(error, state, true);
  }
}

/**
 * Creates a nodemailer SMTP transport that authenticates with XOAUTH2 and tokens from `source`
 * (see {@link createNodemailerAuth}), pooled or not. Its `sendMail()` and `verify()` follow the
 * refresh-and-retry-once rule and throw a {@link MailAuthenticationError} when the server rejects
 * the token again. nodemailer is loaded on first use.
 *
 * @param source A `TokenManager`, or any {@link AccessTokenSource}.
 * @throws {AuthorizerError} `MAIL_PEER_MISSING` without nodemailer; `OAUTH_INSECURE_ENDPOINT` for
 *   `tls: 'none'` to a non-loopback host. `sendMail()` throws {@link MailAuthenticationError}
 *   (`OAUTH_TOKEN_REJECTED`, `MAIL_AUTH_FAILED`), the source's errors, and nodemailer's own.
 * @example
 * ```ts
 * const transport = await createSmtpTransport(manager, {
 *   user: 'me@example.com', host: 'smtp.example.com', port: 587, tls: 'starttls', pool: true,
 * });
 * await transport.sendMail({ from: 'me@example.com', to: 'you@example.com', subject: 'Hi', text: 'Hello' });
 * transport.close();
 * ```
 */
export async function createSmtpTransport(
  source: AccessTokenSource,
  options: SmtpTransportOptions,
): Promise<SmtpTransporter> {
  assertAccessTokenSource(source);
  if (typeof options !== 'object' || options === null) throw new TypeError('SMTP options must be an object');
  const { host, port } = options;
  const tls = options.tls ?? defaultTls(port);
  checkMailServer('smtp', { host, port, tls }, options);
  const auth = createNodemailerAuth(source, options);
  const state = states.get(auth)!;
  const module = await loadPeer('nodemailer', () => import('nodemailer'));
  // nodemailer is CommonJS: its functions sit on the default export, and on the namespace when
  // Node's CommonJS analysis finds them.
  const nodemailer = ((module as unknown as { default?: typeof Nodemailer }).default ??
    module) as typeof Nodemailer;
  const transporter = nodemailer.createTransport({
    ...options.transportOptions,
    host,
    port,
    secure: tls === 'implicit',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(options.tlsOptions !== undefined && { tls: options.tlsOptions }),
    ...(options.pool === true && {
      pool: true,
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
      ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
    }),
    auth,
  } as Parameters<typeof Nodemailer.createTransport>[0]) as SmtpTransporter;

  const sendMail = transporter.sendMail.bind(transporter) as (
    mail: Nodemailer.SendMailOptions,
  ) => Promise<unknown>;
  const verify = transporter.verify.bind(transporter) as () => Promise<true>;
  const withCallback = <T>(result: Promise<T>, callback: unknown): Promise<T> | undefined => {
    if (typeof callback !== 'function') return result;
    result.then(
      (value) => (callback as (error: Error | null, value?: T) => void)(null, value),
      (error: Error) => (callback as (error: Error | null) => void)(error),
    );
    return undefined;
  };
  Object.assign(transporter, {
    sendMail: (mail: Nodemailer.SendMailOptions, callback?: unknown) =>
      withCallback(
        withSmtpRetry(state, () => sendMail(mail)),
        callback,
      ),
    verify: (callback?: unknown) =>
      withCallback(
        withSmtpRetry(state, () => verify()),
        callback,
      ),
  });
  return transporter;
}
