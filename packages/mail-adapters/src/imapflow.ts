/**
 * imapflow (IMAP) with self-refreshing tokens.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import { AuthorizerError, abortError, OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import {
  type AccessTokenSource,
  assertAccessTokenSource,
  type TokenRequestOptions,
} from './access-token-source.js';
import {
  MAIL_AUTH_FAILED,
  MAIL_PROTOCOL_ERROR,
  MailAuthenticationError,
  MailResponseTooLargeError,
  redact,
} from './errors.js';
import { checkMailServer, defaultTls, type MailTls, type TransportSecurityOptions } from './mail-server.js';
import { loadPeer } from './peer-modules.js';
import { type SaslErrorChallenge, saslErrorChallengeFromObject } from './sasl.js';
import { withTokenRetry } from './token-retry.js';

/**
 * Options of {@link connectImapFlow}: where to connect, as whom, and any other imapflow option.
 *
 * @example
 * ```ts
 * const options: ImapConnectOptions = { user: 'me@example.com', host: 'imap.example.com', port: 993, tls: 'implicit', disableAutoIdle: true };
 * ```
 */
export interface ImapConnectOptions
  extends Omit<ImapFlowOptions, 'auth' | 'host' | 'port' | 'secure' | 'doSTARTTLS' | 'tls'>,
    TokenRequestOptions,
    TransportSecurityOptions {
  /** The mailbox user, usually the e-mail address; must match the token's owner. */
  user: string;
  /** The server host name or address. */
  host: string;
  /** The server port. */
  port: number;
  /** How the connection is secured (`starttls` requires the upgrade). Default: `implicit` on port 993, else `starttls` */
  tls?: MailTls;
  /** Options for `tls.connect` (`ca`, `servername`, `minVersion`, …). */
  tlsOptions?: ConnectionOptions;
}

/** Default of imapflow's `maxLineLength` here (imapflow's own is 1 GiB): 4 MiB. */
export const DEFAULT_IMAP_MAX_LINE_LENGTH = 4 * 1024 * 1024;
/** Default of imapflow's `maxLiteralSize` here (imapflow's own is 1 GiB): 64 MiB, a whole message fetched with `source: true`. */
export const DEFAULT_IMAP_MAX_LITERAL_SIZE = 64 * 1024 * 1024;
/** Default of imapflow's `maxResponseSize` here (imapflow's own is 2 GiB): room for one maximal literal and a maximal line. */
export const DEFAULT_IMAP_MAX_RESPONSE_SIZE = DEFAULT_IMAP_MAX_LITERAL_SIZE + DEFAULT_IMAP_MAX_LINE_LENGTH;
/** Default of imapflow's `maxResponseTokens` here (imapflow's own is 1 000 000, about 100 MB of parse tree): 100 000. */
export const DEFAULT_IMAP_MAX_RESPONSE_TOKENS = 100_000;

/** imapflow's limit error codes → the option that sets the limit, and our code for it. */
const IMAP_LIMITS: Record<string, { option: keyof ImapFlowOptions; line: boolean }> = {
  LineTooLarge: { option: 'maxLineLength', line: true },
  LiteralTooLarge: { option: 'maxLiteralSize', line: false },
  ResponseTooLarge: { option: 'maxResponseSize', line: false },
  TooManyTokens: { option: 'maxResponseTokens', line: false },
};

/**
 * Turns imapflow's error for a server reply over a size limit into a typed error naming the limit
 * (`MAIL_PROTOCOL_ERROR` for a line, as POP3 has it; `MAIL_RESPONSE_TOO_LARGE` for the rest);
 * anything else passes through.
 */
function limitError(error: unknown, limits: Record<string, unknown>, host: string): unknown {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const limit = typeof code === 'string' ? IMAP_LIMITS[code] : undefined;
  if (!limit) return error;
  const value = Number(limits[limit.option]);
  const what = limit.line
    ? 'a line'
    : limit.option === 'maxResponseTokens'
      ? 'a reply with more tokens'
      : 'a reply';
  const unit = limit.option === 'maxResponseTokens' ? 'tokens' : 'bytes';
  const message = `IMAP server ${host} sent ${what} larger than ${value} ${unit} (${limit.option}); the connection was closed`;
  if (limit.line) {
    return new AuthorizerError(MAIL_PROTOCOL_ERROR, message, { cause: error });
  }
  return new MailResponseTooLargeError(message, {
    protocol: 'imap',
    limit: value,
    option: limit.option,
    cause: error,
  });
}

/**
 * A factory of connected clients, each with a token that is valid when it logs in.
 *
 * @example
 * ```ts
 * const connector: ImapConnector = createImapConnector(manager, { user, host: 'imap.example.com', port: 993 });
 * const client = await connector.connect();
 * ```
 */
export interface ImapConnector {
  /** Creates, connects and logs in a new `ImapFlow`, with the refresh-and-retry-once rule. */
  connect(): Promise<ImapFlow>;
}

interface ImapFlowFailure {
  authenticationFailed?: boolean;
  response?: unknown;
  serverResponseCode?: unknown;
  oauthError?: unknown;
  message?: unknown;
}

function challengeOf(failure: ImapFlowFailure): SaslErrorChallenge | undefined {
  if (failure.oauthError === undefined || failure.oauthError === false) return undefined;
  try {
    return saslErrorChallengeFromObject(failure.oauthError);
  } catch {
    return undefined;
  }
}

/** Turns imapflow's authentication failure into a {@link MailAuthenticationError}; anything else passes through. */
function authenticationError(
  error: unknown,
  client: ImapFlow,
  context: { user: string; token: string; host: string },
): unknown {
  const { user, token, host } = context;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as ImapFlowFailure;
  if (failure.authenticationFailed !== true) return error;
  const responseCode =
    typeof failure.serverResponseCode === 'string' ? failure.serverResponseCode : undefined;
  const text = typeof failure.response === 'string' ? failure.response : undefined;
  const serverReply =
    text === undefined
      ? undefined
      : redact(
          responseCode && !text.includes(`[${responseCode}]`) ? `[${responseCode}] ${text}` : text,
          token,
        );
  const challenge = challengeOf(failure);
  // A tagged NO is the server refusing the credentials; without one imapflow found no OAuth2
  // mechanism to try. [UNAVAILABLE] means the server could not check the token right now.
  const refused = serverReply !== undefined || challenge !== undefined;
  const transient = responseCode === 'UNAVAILABLE';
  const mechanism = client.capabilities.has('AUTH=OAUTHBEARER')
    ? 'OAUTHBEARER'
    : client.capabilities.has('AUTH=XOAUTH2') || client.capabilities.has('AUTH=XOAUTH')
      ? 'XOAUTH2'
      : undefined;
  const reason =
    serverReply ?? (typeof failure.message === 'string' ? failure.message : 'authentication failed');
  const detail = challenge ? ` (challenge status "${challenge.status}")` : '';
  const tokenRejected = refused && !transient;
  return new MailAuthenticationError(
    tokenRejected
      ? `IMAP server ${host} rejected the access token for ${user}: ${reason}${detail}`
      : `IMAP server ${host} could not log ${user} in: ${redact(reason, token)}`,
    {
      code: tokenRejected ? OAUTH_TOKEN_REJECTED : MAIL_AUTH_FAILED,
      transient,
      protocol: 'imap',
      user,
      mechanism,
      serverReply,
      challenge,
      cause: error,
    },
  );
}

/** The limit options the caller set (an explicit `undefined` keeps the default). */
function definedLimits(options: Partial<ImapFlowOptions>): Partial<ImapFlowOptions> {
  const result: Partial<ImapFlowOptions> = {};
  for (const name of ['maxLineLength', 'maxLiteralSize', 'maxResponseSize', 'maxResponseTokens'] as const) {
    if (options[name] !== undefined) result[name] = options[name];
  }
  return result;
}

/**
 * Creates an `ImapFlow` with a token from `source`, connects and logs in (imapflow picks
 * OAUTHBEARER when the server offers it, else XOAUTH2). When the server rejects the token, gets a
 * replacement once (a forced refresh, unless the source already holds a newer token) and connects
 * once more with a new client. imapflow is loaded on first use; its logger is off unless you pass one.
 * imapflow's size limits default to 4 MiB a line, 64 MiB a literal, 68 MiB a response and 100 000
 * tokens a response, instead of imapflow's 1 GiB, 1 GiB, 2 GiB and 1 000 000: pass `maxLineLength`,
 * `maxLiteralSize`, `maxResponseSize` or `maxResponseTokens` to change them. A server reply over a
 * limit during connect is `MAIL_PROTOCOL_ERROR` (a line) or `MAIL_RESPONSE_TOO_LARGE` (the rest);
 * later, imapflow's own error (`code` `LineTooLarge`, `LiteralTooLarge`, …) reaches the caller.
 *
 * @param source A `TokenManager`, or any {@link AccessTokenSource}.
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` (rejected twice, or no replacement token:
 *   `cause` says why), `MAIL_AUTH_FAILED` (no OAuth2 mechanism offered; `[UNAVAILABLE]`, transient).
 * @throws {MailResponseTooLargeError} `MAIL_RESPONSE_TOO_LARGE` for a literal or reply over its limit.
 * @throws {AuthorizerError} `MAIL_PROTOCOL_ERROR` for a line over `maxLineLength`; `MAIL_PEER_MISSING` without imapflow; errors of the source; imapflow's
 *   own errors for everything else (connection refused, TLS).
 * @example
 * ```ts
 * const client = await connectImapFlow(manager, { user: 'me@example.com', host: 'imap.example.com', port: 993 });
 * const lock = await client.getMailboxLock('INBOX');
 * try { for await (const message of client.fetch('1:*', { envelope: true })) console.log(message.envelope?.subject); }
 * finally { lock.release(); }
 * await client.logout();
 * ```
 */
export async function connectImapFlow(
  source: AccessTokenSource,
  options: ImapConnectOptions,
): Promise<ImapFlow> {
  assertAccessTokenSource(source);
  if (typeof options !== 'object' || options === null) throw new TypeError('IMAP options must be an object');
  const {
    user,
    host,
    port,
    tls: tlsMode,
    tlsOptions,
    minValidity,
    signal,
    dangerouslyAllowPlaintext,
    ...rest
  } = options;
  if (typeof user !== 'string' || user === '') throw new TypeError('IMAP "user" must be a non-empty string');
  const tls = tlsMode ?? defaultTls(port);
  checkMailServer('imap', { host, port, tls }, options);
  const { ImapFlow: ImapFlowClass } = await loadPeer('imapflow', () => import('imapflow'));
  const tokenOptions = {
    ...(minValidity !== undefined && { minValidity }),
    ...(signal !== undefined && { signal }),
  };
  // imapflow's own limits (1 GiB a line or literal) let one hostile reply take the process past
  // a gigabyte; these defaults bound it, and each can be raised in the options.
  const limits = {
    maxLineLength: DEFAULT_IMAP_MAX_LINE_LENGTH,
    maxLiteralSize: DEFAULT_IMAP_MAX_LITERAL_SIZE,
    maxResponseSize: DEFAULT_IMAP_MAX_RESPONSE_SIZE,
    maxResponseTokens: DEFAULT_IMAP_MAX_RESPONSE_TOKENS,
    ...definedLimits(rest),
  };
  return withTokenRetry(source, tokenOptions, async (token) => {
    const client = new ImapFlowClass({
      logger: false,
      ...rest,
      ...limits,
      host,
      port,
      secure: tls === 'implicit',
      // `true` makes the upgrade mandatory: imapflow's default would carry on in clear text when
      // the (itself clear-text) capability list lacks STARTTLS.
      doSTARTTLS: tls === 'starttls' ? true : tls === 'none' ? false : undefined,
      ...(tlsOptions !== undefined && { tls: tlsOptions }),
      auth: { user, accessToken: token },
    });
    // A failed client is closed below; errors it emits while closing concern nobody.
    const ignore = () => {};
    const onAbort = () => {
      client.on('error', ignore);
      client.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      if (signal?.aborted) throw signal.reason;
      return client;
    } catch (error) {
      client.on('error', ignore);
      client.close();
      if (signal?.aborted) {
        throw abortError(signal, `IMAP connect to ${host}:${port}`);
      }
      const tooLarge = limitError(error, limits, host);
      if (tooLarge !== error) throw tooLarge;
      throw authenticationError(error, client, { user, token, host });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  });
}

/**
 * A connector that builds a new, logged-in `ImapFlow` on every `connect()`, each with a token that
 * is valid at that moment: use it to reconnect after a connection dropped or a token expired
 * (servers check the token at login only).
 *
 * @example
 * ```ts
 * const imap = createImapConnector(manager, { user: 'me@example.com', host: 'imap.example.com', port: 993 });
 * let client = await imap.connect();
 * client.on('close', async () => { client = await imap.connect(); });
 * ```
 */
export function createImapConnector(source: AccessTokenSource, options: ImapConnectOptions): ImapConnector {
  assertAccessTokenSource(source);
  const settings = { ...options };
  return { connect: () => connectImapFlow(source, settings) };
}
