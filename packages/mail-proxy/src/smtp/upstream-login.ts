import {
  decodeSaslErrorChallenge,
  MailAuthenticationError,
  type SaslErrorChallenge,
  saslErrorAcknowledgement,
} from '@oauth-authorizer/mail-adapters';
import {
  UpstreamChannel,
  type UpstreamCredentials,
  type UpstreamLoginOptions,
  type UpstreamSession,
} from '../upstream-channel.js';
import { type UpstreamTarget, UpstreamUnavailableError } from '../upstream-connection.js';
import { startSasl } from '../upstream-mechanism.js';
import { ehloKeywords, readSmtpReply, type SmtpReply } from './reply.js';

/** The EHLO name when the client gave none worth passing on. */
const DEFAULT_CLIENT_NAME = 'localhost';
const DOMAIN_OR_LITERAL =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/;

function unavailable(channel: UpstreamChannel, step: string, reply: SmtpReply): UpstreamUnavailableError {
  return new UpstreamUnavailableError(channel.target, `${step}: ${channel.redact(reply.raw).slice(0, 300)}`);
}

async function ehlo(channel: UpstreamChannel, name: string): Promise<string[]> {
  channel.send(`EHLO ${name}`);
  const reply = await readSmtpReply(channel);
  if (reply.code !== 250) throw unavailable(channel, 'EHLO was refused', reply);
  return ehloKeywords(reply);
}

/** The SASL mechanisms an EHLO `AUTH` keyword lists, upper case. */
export function smtpAuthMechanisms(keywords: readonly string[]): string[] {
  const auth = keywords.find((keyword) => /^AUTH[ =]/i.test(keyword));
  return auth === undefined ? [] : auth.slice(5).trim().toUpperCase().split(/\s+/);
}

/** Connects, says EHLO and does STARTTLS when configured: the part a probe and a login share. */
async function greet(channel: UpstreamChannel, clientName: string): Promise<string[]> {
  const greeting = await readSmtpReply(channel);
  if (greeting.code !== 220) throw unavailable(channel, 'the greeting was not 220', greeting);
  let keywords = await ehlo(channel, clientName);
  if (channel.target.tls === 'starttls') {
    if (!keywords.some((keyword) => keyword.toUpperCase() === 'STARTTLS')) {
      throw new UpstreamUnavailableError(channel.target, 'the server does not offer STARTTLS');
    }
    channel.send('STARTTLS');
    const reply = await readSmtpReply(channel);
    if (reply.code !== 220) throw unavailable(channel, 'STARTTLS was refused', reply);
    await channel.startTls();
    keywords = await ehlo(channel, clientName);
  }
  return keywords;
}

/**
 * Logs in to an SMTP server (submission) with `AUTH XOAUTH2` / `AUTH OAUTHBEARER` and the token,
 * after EHLO (with the client's own EHLO name) and STARTTLS when configured.
 *
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` when the server refused the token (5xx),
 *   `MAIL_AUTH_FAILED` when it offers no OAuth2 mechanism.
 * @throws {UpstreamUnavailableError} when it cannot be reached, says 4xx, or answers outside the protocol.
 */
export function loginSmtpUpstream(
  target: UpstreamTarget,
  credentials: UpstreamCredentials,
  options: UpstreamLoginOptions,
): Promise<UpstreamSession> {
  const clientName =
    options.clientName !== undefined && DOMAIN_OR_LITERAL.test(options.clientName)
      ? options.clientName
      : DEFAULT_CLIENT_NAME;
  return UpstreamChannel.run(target, options.timeoutMs, async (channel) => {
    const keywords = await greet(channel, clientName);
    const offered = smtpAuthMechanisms(keywords);
    const { mechanism, initial } = startSasl(
      channel,
      'smtp',
      offered,
      credentials,
      ` (AUTH ${offered.join(' ')})`,
    );
    const { mailbox: user } = credentials;
    channel.send(`AUTH ${mechanism} ${initial}`);
    let reply = await readSmtpReply(channel);
    let challenge: SaslErrorChallenge | undefined;
    if (reply.code === 334) {
      try {
        challenge = decodeSaslErrorChallenge(reply.lines[0] ?? '');
      } catch {
        challenge = undefined;
      }
      channel.send(saslErrorAcknowledgement(mechanism));
      reply = await readSmtpReply(channel);
      if (reply.code === 334) {
        channel.send('*');
        reply = await readSmtpReply(channel);
      }
    }
    if (reply.code === 235) return channel.finish(keywords);
    const serverReply = channel.redact(reply.raw);
    if (reply.code >= 400 && reply.code < 500)
      throw unavailable(channel, `AUTH ${mechanism} failed for now`, reply);
    throw new MailAuthenticationError(
      `SMTP server ${target.host} rejected the token of ${user}: ${serverReply}`,
      {
        protocol: 'smtp',
        user,
        mechanism,
        serverReply,
        challenge,
      },
    );
  });
}

/** The server's EHLO keywords, without logging in (for what the proxy's own EHLO may promise). */
export function probeSmtpUpstream(target: UpstreamTarget, timeoutMs: number): Promise<string[]> {
  return (async () => {
    const channel = await UpstreamChannel.open(target, timeoutMs);
    try {
      const keywords = await greet(channel, DEFAULT_CLIENT_NAME);
      channel.send('QUIT');
      return keywords;
    } finally {
      setTimeout(() => channel.close(), 1_000).unref();
    }
  })();
}
