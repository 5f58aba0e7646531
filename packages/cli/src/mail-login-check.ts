import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import {
  type AuthorizerError,
  isAuthorizerError,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_TOKEN_REJECTED,
} from '@oauth-authorizer/core';
import type { AccessTokenSource } from '@oauth-authorizer/mail-adapters';
import { CLI_USAGE, cliError } from './errors.js';
import { EXIT_AUTHORIZATION_REQUIRED, EXIT_FAILURE, EXIT_NETWORK, EXIT_OK } from './exit-codes.js';
import type { MailEndpoint, MailProtocolName } from './mail-server-spec.js';

/** How one login went: `ok`, the token was `rejected`, the server was `unreachable` (or its certificate untrusted), or it `failed` otherwise. */
export type MailLoginOutcome = 'ok' | 'rejected' | 'unreachable' | 'failed';

/** The result of logging in to one mail server. */
export interface MailLoginResult {
  protocol: MailProtocolName;
  server: MailEndpoint;
  outcome: MailLoginOutcome;
  /** The exit code this outcome stands for: 0, 3, 4 or 1. */
  exitCode: number;
  /** What went wrong, for people: the server's reply where there was one. */
  detail?: string;
  /** The server's reply to the authentication, when it sent one. */
  serverReply?: string;
  /** The error's stable code. */
  code?: string;
  hint?: string;
}

/** Options of {@link checkMailLogin}. */
export interface MailLoginOptions {
  user: string;
  mechanism: 'XOAUTH2' | 'OAUTHBEARER';
  /** PEM text of extra CA certificates to trust, besides the system's. */
  ca?: string | undefined;
  /** Gives up on the server after this long, in ms. Default: 20 000 */
  timeout?: number;
  signal: AbortSignal;
}

/** Error codes (ours and Node's, as the mail libraries pass them on) that mean "could not reach the server". */
const UNREACHABLE = new Set([
  'OAUTH_NETWORK_ERROR',
  'OAUTH_TIMEOUT',
  'OAUTH_ABORTED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ETIMEOUT',
  'ECONNECTION',
  'ESOCKET',
  'EPIPE',
  'NoConnection',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
  'MAIL_TLS_UNAVAILABLE',
]);

/** Node's certificate verification failures: the server is there but cannot be trusted. */
const CERTIFICATE =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED)$/;

/** Node's messages for the same failures. */
const CERTIFICATE_MESSAGE =
  /self[- ]signed certificate( in certificate chain)?|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match certificate's altnames/i;

function chain(error: unknown): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  let current = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
    links.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return links;
}

function codesOf(error: unknown): string[] {
  return chain(error).flatMap((link) =>
    [link.code, link.errno].filter((code): code is string => typeof code === 'string'),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Classifies a failed login. A token refused by the server (after the adapter's one retry with a
 * new token) or a refresh the provider rejected is `rejected` (3); no connection, a timeout or an
 * untrusted certificate is `unreachable` (4); anything else `failed` (1).
 */
function outcomeOf(protocol: MailProtocolName, server: MailEndpoint, error: unknown): MailLoginResult {
  const codes = codesOf(error);
  const base = { protocol, server };
  const authorizer = chain(error).find((link) => isAuthorizerError(link)) as AuthorizerError | undefined;
  const serverReply = chain(error)
    .map((link) => link.serverReply)
    .find((reply): reply is string => typeof reply === 'string');
  if (codes.includes(OAUTH_AUTHORIZATION_REQUIRED) || codes.includes(OAUTH_TOKEN_REJECTED)) {
    const required = codes.includes(OAUTH_AUTHORIZATION_REQUIRED);
    return {
      ...base,
      outcome: 'rejected',
      exitCode: EXIT_AUTHORIZATION_REQUIRED,
      detail: serverReply
        ? `the server rejected the token: ${serverReply}`
        : `the token was rejected: ${messageOf(error)}`,
      ...(serverReply !== undefined && { serverReply }),
      code: required ? OAUTH_AUTHORIZATION_REQUIRED : OAUTH_TOKEN_REJECTED,
      hint: required
        ? 'the provider rejected the refresh token: authorize the account again'
        : 'the token is valid at the provider but not for this server: check the scopes, that the mailbox allows OAuth (e.g. IMAP switched on), and the user',
    };
  }
  // Some libraries pass Node's TLS error on as a message only.
  const certificate =
    codes.find((code) => CERTIFICATE.test(code)) ??
    chain(error)
      .map((link) =>
        typeof link.message === 'string' ? CERTIFICATE_MESSAGE.exec(link.message)?.[0] : undefined,
      )
      .find((message) => message !== undefined);
  if (certificate)
    return {
      ...base,
      outcome: 'unreachable',
      exitCode: EXIT_NETWORK,
      detail: `the server's certificate is not trusted (${certificate})`,
      code: certificate,
      hint: 'for a private CA give --ca <file> or set NODE_EXTRA_CA_CERTS',
    };
  const network = codes.find((code) => UNREACHABLE.has(code));
  if (network)
    return {
      ...base,
      outcome: 'unreachable',
      exitCode: EXIT_NETWORK,
      detail: `cannot reach the server: ${messageOf(error)}`,
      code: network,
      hint: 'check the host, the port and the TLS mode, and the network',
    };
  return {
    ...base,
    outcome: 'failed',
    exitCode: EXIT_FAILURE,
    detail: serverReply ? `${messageOf(error)}: ${serverReply}` : messageOf(error),
    ...(serverReply !== undefined && { serverReply }),
    ...(authorizer && { code: authorizer.code }),
    ...(authorizer?.hint !== undefined && { hint: authorizer.hint }),
  };
}

/**
 * Reads a `--ca` file: PEM text with at least one certificate.
 *
 * @throws {AuthorizerError} `CLI_USAGE` for a file that cannot be read or holds no certificate.
 */
export async function readCaFile(command: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw cliError(
      CLI_USAGE,
      `${command}: cannot read --ca "${path}": ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw cliError(CLI_USAGE, `${command}: --ca "${path}" holds no PEM certificate`);
  return text;
}

/**
 * Really logs in to a mail server with the account's token, with the mail adapters (loaded only
 * here: the `token` hot path never pays for nodemailer or imapflow), then logs out. Certificates
 * are verified, against the system's CAs (and `NODE_EXTRA_CA_CERTS`) plus `ca`. Never throws for
 * the server's sake: every failure is a {@link MailLoginResult}.
 *
 * @example
 * ```ts
 * const result = await checkMailLogin('imap', { host: 'imap.gmail.com', port: 993, tls: 'implicit' }, manager, { user, mechanism: 'XOAUTH2', signal });
 * ```
 */
export async function checkMailLogin(
  protocol: MailProtocolName,
  server: MailEndpoint,
  source: AccessTokenSource,
  options: MailLoginOptions,
): Promise<MailLoginResult> {
  const adapters = await import('@oauth-authorizer/mail-adapters');
  const timeout = options.timeout ?? 20_000;
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(timeout)]);
  const tlsOptions = options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] };
  const { host, port, tls } = server;
  // What every adapter is given: the mailbox, the server, the TLS trust and the deadline.
  const connection = { user: options.user, host, port, tls, tlsOptions, signal };
  try {
    if (protocol === 'imap') {
      const client = await adapters.connectImapFlow(source, {
        ...connection,
        disableAutoIdle: true,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
      });
      await client.logout();
    } else if (protocol === 'pop3') {
      const client = await adapters.connectPop3(source, { ...connection, mechanism: options.mechanism });
      await client.quit();
    } else {
      const transport = await adapters.createSmtpTransport(source, {
        ...connection,
        transportOptions: { connectionTimeout: timeout, greetingTimeout: timeout },
      });
      try {
        await transport.verify();
      } finally {
        transport.close();
      }
    }
    return { protocol, server, outcome: 'ok', exitCode: EXIT_OK };
  } catch (error) {
    if (options.signal.aborted) throw error;
    return outcomeOf(protocol, server, error);
  }
}
