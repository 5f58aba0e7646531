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

/** RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
const MAX_COMMAND_LINE = 255;
/** RFC 2449 §8.1, RFC 3206: failures where a new token would not help. */
const TRANSIENT = /^-ERR \[(?:SYS\/TEMP|IN-USE|LOGIN-DELAY)\]/i;

function refused(channel: UpstreamChannel, step: string, line: string): UpstreamUnavailableError {
  return new UpstreamUnavailableError(channel.target, `${step}: ${channel.redact(line).slice(0, 300)}`);
}

/** The CAPA list (RFC 2449), or `[]` when the server has none. */
async function capa(channel: UpstreamChannel): Promise<string[]> {
  channel.send('CAPA');
  const status = await channel.readLine();
  if (!status.startsWith('+OK')) return [];
  const capabilities: string[] = [];
  for (;;) {
    const line = await channel.readLine();
    if (line === '.') return capabilities;
    capabilities.push(line.startsWith('..') ? line.slice(1) : line);
  }
}

/** Greeting, STLS when configured, CAPA: what a probe and a login share. */
async function greet(channel: UpstreamChannel): Promise<string[]> {
  const greeting = await channel.readLine();
  if (!greeting.startsWith('+OK')) throw refused(channel, 'the greeting was not +OK', greeting);
  if (channel.target.tls === 'starttls') {
    channel.send('STLS');
    const reply = await channel.readLine();
    if (!reply.startsWith('+OK')) throw refused(channel, 'STLS was refused', reply);
    await channel.startTls();
  }
  return capa(channel);
}

/**
 * Logs in to a POP3 server with `AUTH XOAUTH2` / `AUTH OAUTHBEARER` (RFC 5034; the initial
 * response on the AUTH line when it fits in 255 octets, else after the `+`), after STLS when
 * configured.
 *
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` for `-ERR`, `MAIL_AUTH_FAILED` when no OAuth2 mechanism is offered.
 * @throws {UpstreamUnavailableError} when it cannot be reached, or says `[SYS/TEMP]`, `[IN-USE]` or `[LOGIN-DELAY]`.
 */
export function loginPop3Upstream(
  target: UpstreamTarget,
  credentials: UpstreamCredentials,
  options: UpstreamLoginOptions,
): Promise<UpstreamSession> {
  return UpstreamChannel.run(target, options.timeoutMs, async (channel) => {
    const capabilities = await greet(channel);
    const sasl = capabilities.find((line) => /^SASL\b/i.test(line));
    const offered = sasl === undefined ? [] : sasl.slice(4).trim().toUpperCase().split(/\s+/);
    const { mechanism, initial } = startSasl(channel, 'pop3', offered, credentials);
    const { mailbox: user } = credentials;
    const command = `AUTH ${mechanism}`;
    let reply: string;
    if (command.length + 1 + initial.length + 2 <= MAX_COMMAND_LINE) {
      channel.send(`${command} ${initial}`);
      reply = await channel.readLine();
    } else {
      channel.send(command);
      reply = await channel.readLine();
      if (reply.trim() === '+') {
        channel.send(initial);
        reply = await channel.readLine();
      }
    }
    let challenge: SaslErrorChallenge | undefined;
    if (reply.startsWith('+ ') || reply === '+') {
      try {
        challenge = decodeSaslErrorChallenge(reply.slice(1).trim());
      } catch {
        challenge = undefined;
      }
      channel.send(saslErrorAcknowledgement(mechanism));
      reply = await channel.readLine();
      if (reply.startsWith('+ ') || reply === '+') {
        channel.send('*');
        reply = await channel.readLine();
      }
    }
    if (reply.startsWith('+OK')) return channel.finish(capabilities);
    if (TRANSIENT.test(reply)) throw refused(channel, `${command} failed for now`, reply);
    const serverReply = channel.redact(reply);
    throw new MailAuthenticationError(
      `POP3 server ${target.host} rejected the token of ${user}: ${serverReply}`,
      {
        protocol: 'pop3',
        user,
        mechanism,
        serverReply,
        challenge,
      },
    );
  });
}

/** The server's CAPA list, without logging in. */
export async function probePop3Upstream(target: UpstreamTarget, timeoutMs: number): Promise<string[]> {
  const channel = await UpstreamChannel.open(target, timeoutMs);
  try {
    const capabilities = await greet(channel);
    channel.send('QUIT');
    return capabilities;
  } finally {
    setTimeout(() => channel.close(), 1_000).unref();
  }
}
