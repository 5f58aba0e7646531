import {
  decodeSaslErrorChallenge,
  MAIL_AUTH_FAILED,
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
import { capabilitiesIn } from './capabilities.js';

/** Reads to the tagged reply of `tag`, collecting capabilities from the untagged responses. */
async function tagged(
  channel: UpstreamChannel,
  tag: string,
  seen: { capabilities?: string[] | undefined },
): Promise<string> {
  for (;;) {
    const line = await channel.readLine();
    const capabilities = capabilitiesIn(line);
    if (capabilities !== undefined) seen.capabilities = capabilities;
    if (line.startsWith(`${tag} `)) return line.slice(tag.length + 1);
    if (line.startsWith('* BYE'))
      throw new UpstreamUnavailableError(
        channel.target,
        `the server said ${channel.redact(line).slice(0, 300)}`,
      );
  }
}

async function capability(channel: UpstreamChannel, tag: string): Promise<string[]> {
  channel.send(`${tag} CAPABILITY`);
  const seen: { capabilities?: string[] | undefined } = {};
  const reply = await tagged(channel, tag, seen);
  if (!/^OK\b/i.test(reply) || seen.capabilities === undefined) {
    throw new UpstreamUnavailableError(
      channel.target,
      `CAPABILITY failed: ${channel.redact(reply).slice(0, 300)}`,
    );
  }
  return seen.capabilities;
}

/**
 * Logs in to an IMAP server with `AUTHENTICATE XOAUTH2` / `OAUTHBEARER` (initial response on the
 * command line with SASL-IR, else after the `+`), after STARTTLS when configured; answers an
 * error challenge as the mechanism says and reads the tagged `NO`.
 *
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` for `NO` (not `[UNAVAILABLE]`), `MAIL_AUTH_FAILED` when no OAuth2 mechanism is offered.
 * @throws {UpstreamUnavailableError} when it cannot be reached, says `BYE` or `NO [UNAVAILABLE]`.
 */
export function loginImapUpstream(
  target: UpstreamTarget,
  credentials: UpstreamCredentials,
  options: UpstreamLoginOptions,
): Promise<UpstreamSession> {
  return UpstreamChannel.run(target, options.timeoutMs, async (channel) => {
    const greeting = await channel.readLine();
    if (!/^\* OK\b/i.test(greeting))
      throw new UpstreamUnavailableError(
        target,
        `the greeting was ${channel.redact(greeting).slice(0, 300)}`,
      );
    let capabilities = capabilitiesIn(greeting);
    if (target.tls === 'starttls') {
      if (capabilities === undefined) capabilities = await capability(channel, 'P0');
      if (!capabilities.some((entry) => entry.toUpperCase() === 'STARTTLS'))
        throw new UpstreamUnavailableError(target, 'the server does not offer STARTTLS');
      channel.send('P1 STARTTLS');
      const reply = await tagged(channel, 'P1', {});
      if (!/^OK\b/i.test(reply))
        throw new UpstreamUnavailableError(
          target,
          `STARTTLS was refused: ${channel.redact(reply).slice(0, 300)}`,
        );
      await channel.startTls();
      capabilities = undefined;
    }
    capabilities ??= await capability(channel, 'P2');
    const upper = capabilities.map((entry) => entry.toUpperCase());
    const offered = upper.filter((entry) => entry.startsWith('AUTH=')).map((entry) => entry.slice(5));
    const { mechanism, initial } = startSasl(channel, 'imap', offered, credentials);
    const { mailbox: user } = credentials;
    if (upper.includes('SASL-IR')) channel.send(`P3 AUTHENTICATE ${mechanism} ${initial}`);
    else channel.send(`P3 AUTHENTICATE ${mechanism}`);
    let sentInitial = upper.includes('SASL-IR');
    const seen: { capabilities?: string[] | undefined } = {};
    let challenge: SaslErrorChallenge | undefined;
    let reply: string;
    let continuations = 0;
    for (;;) {
      const line = await channel.readLine();
      const found = capabilitiesIn(line);
      if (found !== undefined) seen.capabilities = found;
      if (line.startsWith('P3 ')) {
        reply = line.slice(3);
        break;
      }
      if (!line.startsWith('+')) continue;
      if (!sentInitial) {
        channel.send(initial);
        sentInitial = true;
        continue;
      }
      continuations += 1;
      if (continuations === 1) {
        try {
          challenge = decodeSaslErrorChallenge(line.slice(1).trim());
        } catch {
          challenge = undefined;
        }
        channel.send(saslErrorAcknowledgement(mechanism));
      } else channel.send('*');
    }
    if (/^OK\b/i.test(reply)) {
      return channel.finish(seen.capabilities ?? (await capability(channel, 'P4')));
    }
    const serverReply = channel.redact(reply);
    if (/^NO \[UNAVAILABLE\]/i.test(reply))
      throw new UpstreamUnavailableError(target, `AUTHENTICATE failed for now: ${serverReply}`);
    throw new MailAuthenticationError(
      `IMAP server ${target.host} rejected the token of ${user}: ${serverReply}`,
      {
        ...(/^BAD\b/i.test(reply) && { code: MAIL_AUTH_FAILED }),
        protocol: 'imap',
        user,
        mechanism,
        serverReply,
        challenge,
      },
    );
  });
}
