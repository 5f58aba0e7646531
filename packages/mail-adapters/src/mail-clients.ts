/**
 * One-line clients for an account whose preset knows its mail servers (`preset.mail`).
 *
 * @module
 */
import { AuthorizerError, OAUTH_INVALID_CONFIGURATION } from '@oauth-authorizer/core';
import type { ImapFlow } from 'imapflow';
import type { AccessTokenSource } from './access-token-source.js';
import { connectImapFlow, type ImapConnectOptions } from './imapflow.js';
import type { MailServer, MailSettings } from './mail-server.js';
import { createSmtpTransport, type SmtpTransporter, type SmtpTransportOptions } from './nodemailer.js';
import type { Pop3Client } from './pop3/client.js';
import { connectPop3, type Pop3ConnectOptions } from './pop3/connect.js';

type Protocol = 'smtp' | 'imap' | 'pop3';

/**
 * Options of the `…For` functions: the user, the preset's mail settings, and the adapter's other options.
 *
 * @example
 * ```ts
 * const options: MailClientOptions<Pop3ConnectOptions> = { user: 'me@outlook.com', mail: preset.mail };
 * ```
 */
export type MailClientOptions<T> = Omit<T, 'host' | 'port' | 'tls'> & {
  /** The preset's mail settings (`preset.mail`). */
  mail: MailSettings | undefined;
};

function serverFor(mail: MailSettings | undefined, protocol: Protocol): MailServer {
  const server = mail?.[protocol];
  if (!server) {
    throw new AuthorizerError(
      OAUTH_INVALID_CONFIGURATION,
      `the mail settings have no ${protocol.toUpperCase()} server`,
      {
        hint: `give the ${protocol} host, port and tls yourself, or use a preset that knows them`,
      },
    );
  }
  return server;
}

/**
 * An SMTP transport for the preset's SMTP server: {@link createSmtpTransport} with the host, port
 * and TLS mode from `mail.smtp`.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when `mail` has no SMTP server.
 * @example
 * ```ts
 * const transport = await createSmtpTransportFor(manager, { user: 'me@gmail.com', mail: google.mail, pool: true });
 * ```
 */
export async function createSmtpTransportFor(
  source: AccessTokenSource,
  options: MailClientOptions<SmtpTransportOptions>,
): Promise<SmtpTransporter> {
  const { mail, ...rest } = options;
  const server = serverFor(mail, 'smtp');
  return createSmtpTransport(source, { ...rest, host: server.host, port: server.port, tls: server.tls });
}

/**
 * A connected `ImapFlow` for the preset's IMAP server: {@link connectImapFlow} with the host, port
 * and TLS mode from `mail.imap`. (imapflow picks the SASL mechanism itself.)
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when `mail` has no IMAP server.
 * @example
 * ```ts
 * const client = await connectImapFor(manager, { user: 'me@outlook.com', mail: microsoft.mail });
 * ```
 */
export async function connectImapFor(
  source: AccessTokenSource,
  options: MailClientOptions<ImapConnectOptions>,
): Promise<ImapFlow> {
  const { mail, ...rest } = options;
  const server = serverFor(mail, 'imap');
  return connectImapFlow(source, { ...rest, host: server.host, port: server.port, tls: server.tls });
}

/**
 * A logged-in {@link Pop3Client} for the preset's POP3 server: {@link connectPop3} with the host,
 * port and TLS mode from `mail.pop3`, and the preset's SASL mechanism unless `mechanism` is given.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when `mail` has no POP3 server.
 * @example
 * ```ts
 * const pop3 = await connectPop3For(manager, { user: 'me@outlook.com', mail: microsoft.mail });
 * ```
 */
export async function connectPop3For(
  source: AccessTokenSource,
  options: MailClientOptions<Pop3ConnectOptions>,
): Promise<Pop3Client> {
  const { mail, ...rest } = options;
  const server = serverFor(mail, 'pop3');
  const mechanism = rest.mechanism ?? mail?.sasl;
  return connectPop3(source, {
    ...rest,
    host: server.host,
    port: server.port,
    tls: server.tls,
    ...(mechanism !== undefined && { mechanism }),
  });
}
