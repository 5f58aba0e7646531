import {
  MAIL_AUTH_FAILED,
  MailAuthenticationError,
  type SaslMechanism,
  saslInitialResponse,
} from '@oauth-authorizer/mail-adapters';
import type { UpstreamChannel, UpstreamCredentials } from './upstream-channel.js';
import type { UpstreamTarget } from './upstream-connection.js';

/**
 * The SASL mechanism for an upstream login: the configured one if the server offers it, else
 * OAUTHBEARER when offered (the standard, RFC 7628), else XOAUTH2; `undefined` when none fits.
 *
 * @param offered The server's mechanisms, upper case.
 */
export function chooseMechanism(
  target: UpstreamTarget,
  offered: readonly string[],
): SaslMechanism | undefined {
  if (target.mechanism !== undefined)
    return offered.includes(target.mechanism) ? target.mechanism : undefined;
  if (offered.includes('OAUTHBEARER')) return 'OAUTHBEARER';
  if (offered.includes('XOAUTH2')) return 'XOAUTH2';
  return undefined;
}

/**
 * The start of every upstream login, whatever the protocol: the mechanism (see
 * {@link chooseMechanism}) and its initial response for the credentials, both kept out of the
 * channel's logs and errors.
 *
 * @param offered The server's mechanisms, upper case.
 * @param offeredNote Appended to the error when no mechanism fits, e.g. ` (AUTH PLAIN LOGIN)`.
 * @throws {MailAuthenticationError} `MAIL_AUTH_FAILED` when the server offers no mechanism that fits.
 */
export function startSasl(
  channel: UpstreamChannel,
  protocol: 'smtp' | 'imap' | 'pop3',
  offered: readonly string[],
  credentials: UpstreamCredentials,
  offeredNote = '',
): { mechanism: SaslMechanism; initial: string } {
  const { target } = channel;
  const mechanism = chooseMechanism(target, offered);
  const { mailbox: user, token } = credentials;
  if (mechanism === undefined) {
    throw new MailAuthenticationError(
      `${protocol.toUpperCase()} server ${target.host} offers no ${target.mechanism ?? 'XOAUTH2 or OAUTHBEARER'}${offeredNote}`,
      { code: MAIL_AUTH_FAILED, protocol, user },
    );
  }
  const initial = saslInitialResponse(mechanism, {
    user,
    token,
    host: target.servername ?? target.host,
    port: target.port,
  });
  channel.addSecrets(token, initial);
  return { mechanism, initial };
}
