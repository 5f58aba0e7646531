import type { ProtocolHandler } from '../proxy-server.js';
import { decodeBase64, decodeSaslPlain, type PlainCredentials } from '../sasl-plain.js';
import type { LocalSession } from '../session.js';
import { loginSmtpUpstream, probeSmtpUpstream } from './upstream-login.js';

/**
 * The EHLO keywords that pass through the proxy unchanged once the client is logged in, so the
 * proxy may promise them when the upstream offers them (RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 2920 PIPELINING, RFC 3030 CHUNKING/BINARYMIME, RFC 6531 SMTPUTF8, RFC 3461 DSN,
 * RFC 2034 ENHANCEDSTATUSCODES). AUTH and STARTTLS are the proxy's own.
 */
const RELAYED_KEYWORDS = [
  'PIPELINING',
  '8BITMIME',
  'SMTPUTF8',
  'SIZE',
  'CHUNKING',
  'BINARYMIME',
  'DSN',
  'ENHANCEDSTATUSCODES',
];

const HOSTNAME = 'oauth-authorizer-proxy';

function relayedKeywords(upstream: readonly string[] | undefined): string[] {
  if (upstream === undefined) return [];
  return upstream.filter((keyword) =>
    RELAYED_KEYWORDS.includes(keyword.split(/[ =]/)[0]?.toUpperCase() ?? ''),
  );
}

function ehloReply(session: LocalSession): string {
  const lines = [HOSTNAME, ...relayedKeywords(session.runtime.capabilities)];
  if (session.canStartTls) lines.push('STARTTLS');
  if (session.loginAllowed) lines.push('AUTH PLAIN LOGIN');
  return lines.map((line, index) => `250${index === lines.length - 1 ? ' ' : '-'}${line}\r\n`).join('');
}

/** Reads one SASL continuation answer; `undefined` when the client cancelled (`*`) or left. */
async function answer(session: LocalSession, prompt: string): Promise<string | undefined> {
  session.write(`334 ${prompt}\r\n`);
  const line = await session.readLine();
  if (line === null || line.trim() === '*') return undefined;
  return line;
}

async function readCredentials(
  session: LocalSession,
  mechanism: string,
  initial: string | undefined,
): Promise<PlainCredentials | 'cancelled' | 'invalid'> {
  if (mechanism === 'PLAIN') {
    const message = initial ?? (await answer(session, ''));
    if (message === undefined) return 'cancelled';
    return decodeSaslPlain(message === '=' ? '' : message) ?? 'invalid';
  }
  const userLine = initial ?? (await answer(session, 'VXNlcm5hbWU6'));
  if (userLine === undefined) return 'cancelled';
  const user = decodeBase64(userLine);
  if (user === undefined || user === '') return 'invalid';
  const passwordLine = await answer(session, 'UGFzc3dvcmQ6');
  if (passwordLine === undefined) return 'cancelled';
  const password = decodeBase64(passwordLine);
  return password === undefined ? 'invalid' : { user, password };
}

/**
 * The local SMTP side: EHLO (with the keywords that pass through, STARTTLS when configured, and
 * AUTH PLAIN LOGIN only over TLS or on loopback), STARTTLS, AUTH; every mail command before a
 * login is refused. After a login the session is relayed to the upstream, which has already
 * seen the client's EHLO name and the proxy's AUTH.
 */
export async function runSmtpSession(session: LocalSession): Promise<void> {
  session.byeOnTimeout = '421 4.4.2 Timeout or line too long, closing connection\r\n';
  session.write(`220 ${HOSTNAME} ESMTP OAuth Authorizer mail proxy\r\n`);
  let clientName: string | undefined;
  for (;;) {
    const line = await session.readLine();
    if (line === null) return;
    const [verb = '', ...rest] = line.trim().split(/\s+/);
    const command = verb.toUpperCase();
    switch (command) {
      case 'EHLO':
      case 'HELO':
        clientName = rest[0];
        session.write(command === 'EHLO' ? ehloReply(session) : `250 ${HOSTNAME}\r\n`);
        break;
      case 'STARTTLS':
        if (!session.canStartTls) {
          session.write('502 5.5.1 STARTTLS not available\r\n');
          break;
        }
        session.write('220 2.0.0 Ready to start TLS\r\n');
        if (!(await session.startTls())) return;
        clientName = undefined;
        break;
      case 'AUTH': {
        if (clientName === undefined) {
          session.write('503 5.5.1 Send EHLO first\r\n');
          break;
        }
        if (!session.loginAllowed) {
          session.write('538 5.7.11 Encryption required for requested authentication mechanism\r\n');
          break;
        }
        const mechanism = rest[0]?.toUpperCase() ?? '';
        if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') {
          session.write('504 5.5.4 Unrecognized authentication type\r\n');
          break;
        }
        const credentials = await readCredentials(session, mechanism, rest[1]);
        if (credentials === 'cancelled') {
          if (session.socket.destroyed) return;
          session.write('501 5.0.0 Authentication cancelled\r\n');
          break;
        }
        if (credentials === 'invalid') {
          session.write('501 5.5.2 Cannot decode the response\r\n');
          break;
        }
        const result = await session.login(
          credentials.user,
          credentials.password,
          loginSmtpUpstream,
          clientName,
        );
        if (result.status === 'ok') {
          session.write('235 2.7.0 Authentication successful\r\n');
          await session.relay(result.upstream);
          return;
        }
        if (result.status === 'refused') session.write('535 5.7.8 Authentication credentials invalid\r\n');
        else if (result.status === 'unavailable')
          session.write('454 4.7.0 Temporary authentication failure: the mail server is not available\r\n');
        else session.write(`535 5.7.8 ${result.reason}\r\n`);
        break;
      }
      case 'NOOP':
        session.write('250 2.0.0 OK\r\n');
        break;
      case 'RSET':
        session.write('250 2.0.0 OK\r\n');
        break;
      case 'QUIT':
        session.end('221 2.0.0 Bye\r\n');
        return;
      case 'MAIL':
      case 'RCPT':
      case 'DATA':
      case 'BDAT':
      case 'VRFY':
      case 'EXPN':
        session.write('530 5.7.0 Authentication required\r\n');
        break;
      default:
        session.write('502 5.5.2 Command not recognized\r\n');
    }
  }
}

/** The SMTP protocol of the proxy. */
export const smtpProtocol: ProtocolHandler = {
  run: runSmtpSession,
  tooManyConnections: '421 4.7.0 Too many connections, try again later\r\n',
  async probe(runtime) {
    runtime.capabilities = await probeSmtpUpstream(runtime.upstream, 10_000);
  },
};
