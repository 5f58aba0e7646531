/**
 * The POP3 `AUTH` exchange for the OAuth2 SASL mechanisms (RFC 5034 with XOAUTH2 or OAUTHBEARER):
 * where the initial response goes, how an error challenge is answered, and what the final reply
 * means.
 *
 * @module
 */
import { OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import { isTransientPop3ResponseCode, MAIL_AUTH_FAILED, MailAuthenticationError, redact } from '../errors.js';
import {
  decodeSaslErrorChallenge,
  type SaslErrorChallenge,
  type SaslMechanism,
  saslErrorAcknowledgement,
} from '../sasl.js';
import type { Pop3StatusLine } from './response-parser.js';

/** RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
const MAX_COMMAND_LINE = 255;
const CRLF_LENGTH = 2;

/** What the exchange needs of the connection: send a line, read a status line. */
export interface Pop3AuthExchange {
  /** The host the client connected to, for messages. */
  readonly host: string;
  /** Sends one command line (CRLF is added). */
  write(line: string): void;
  /** Reads one status line; `-ERR` and `+` are returned, not thrown. */
  readReply(command: string): Promise<Pop3StatusLine>;
}

/**
 * Runs `AUTH <mechanism>` with the base64 `initial` response. The initial response goes on the
 * AUTH line when the line stays within 255 octets (RFC 2449 §4), else after the server's empty `+`.
 * On an error challenge (`+ <base64 JSON>`) it decodes the challenge, ends the exchange as the
 * mechanism says (a lone `*` if the server still continues) and reads the server's `-ERR`.
 *
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` when the server refuses the token, with
 *   the server's reply (the token redacted) and challenge; `MAIL_AUTH_FAILED` (transient) for
 *   `[SYS/TEMP]`, `[IN-USE]` or `[LOGIN-DELAY]`, where a new token would not help.
 */
export async function runSaslExchange(
  exchange: Pop3AuthExchange,
  mechanism: SaslMechanism,
  credentials: { user: string; token: string; initial: string },
): Promise<void> {
  const { user, token, initial } = credentials;
  const command = `AUTH ${mechanism}`;
  const read = () => exchange.readReply(command);
  let reply: Pop3StatusLine;
  if (command.length + 1 + initial.length + CRLF_LENGTH <= MAX_COMMAND_LINE) {
    exchange.write(`${command} ${initial}`);
    reply = await read();
  } else {
    exchange.write(command);
    reply = await read();
    if (reply.status === '+' && reply.text.trim() === '') {
      exchange.write(initial);
      reply = await read();
    }
  }
  if (reply.status === '+OK') return;
  let challenge: SaslErrorChallenge | undefined;
  let challengeError: unknown;
  if (reply.status === '+') {
    try {
      challenge = decodeSaslErrorChallenge(reply.text);
    } catch (error) {
      challengeError = error;
    }
    exchange.write(saslErrorAcknowledgement(mechanism));
    reply = await read();
    if (reply.status === '+') {
      // RFC 5034 §4: "*" cancels an exchange the server insists on continuing.
      exchange.write('*');
      reply = await read();
    }
    if (reply.status === '+OK') return;
  }
  const serverReply = redact(
    `-ERR${reply.responseCode ? ` [${reply.responseCode}]` : ''}${reply.text ? ` ${reply.text}` : ''}`,
    token,
  );
  const transient = isTransientPop3ResponseCode(reply.responseCode);
  const detail = challenge ? ` (challenge status "${challenge.status}")` : '';
  const host = exchange.host;
  throw new MailAuthenticationError(
    transient
      ? `POP3 server ${host} could not log ${user} in right now (${command}): ${serverReply}`
      : `POP3 server ${host} rejected the access token for ${user} (${command}): ${serverReply}${detail}`,
    {
      code: transient ? MAIL_AUTH_FAILED : OAUTH_TOKEN_REJECTED,
      transient,
      protocol: 'pop3',
      user,
      mechanism,
      serverReply,
      challenge,
      ...(challengeError !== undefined && { cause: challengeError }),
    },
  );
}
