import type { ProtocolHandler } from '../proxy-server.js';
import { decodeSaslPlain } from '../sasl-plain.js';
import type { LocalSession } from '../session.js';
import { loginPop3Upstream, probePop3Upstream } from './upstream-login.js';

/** Upstream capabilities (RFC 2449 §6) that hold through the relay once the client is logged in. */
const RELAYED = /^(?:TOP|UIDL|EXPIRE|LOGIN-DELAY|UTF8|PIPELINING)\b/i;

function capaReply(session: LocalSession): string {
  const lines = ['USER'];
  if (session.loginAllowed) lines.push('SASL PLAIN');
  if (session.canStartTls) lines.push('STLS');
  lines.push('RESP-CODES', 'AUTH-RESP-CODE');
  lines.push(...(session.runtime.capabilities ?? []).filter((line) => RELAYED.test(line)));
  return `+OK Capability list follows\r\n${lines.join('\r\n')}\r\n.\r\n`;
}

async function login(session: LocalSession, user: string, password: string): Promise<boolean> {
  const result = await session.login(user, password, loginPop3Upstream);
  if (result.status === 'ok') {
    session.write('+OK Logged in.\r\n');
    await session.relay(result.upstream);
    return true;
  }
  if (result.status === 'refused') session.write('-ERR [AUTH] Authentication failed.\r\n');
  else if (result.status === 'unavailable')
    session.write('-ERR [SYS/TEMP] The mail server is not available, try again later.\r\n');
  else session.write(`-ERR [AUTH] ${result.reason}\r\n`);
  return false;
}

/**
 * The local POP3 side in the AUTHORIZATION state: CAPA, STLS, USER/PASS, AUTH PLAIN (RFC 5034,
 * initial response or continuation), QUIT; anything else is refused until a login, after which
 * the session is relayed to the upstream, already in its TRANSACTION state.
 */
export async function runPop3Session(session: LocalSession): Promise<void> {
  session.byeOnTimeout = '-ERR Autologout; idle or line too long\r\n';
  session.write('+OK OAuth Authorizer mail proxy ready\r\n');
  let user: string | undefined;
  for (;;) {
    const line = await session.readLine();
    if (line === null) return;
    const space = line.indexOf(' ');
    const command = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const argument = space === -1 ? undefined : line.slice(space + 1);
    switch (command) {
      case 'CAPA':
        session.write(capaReply(session));
        break;
      case 'STLS':
        if (!session.canStartTls) {
          session.write('-ERR STLS not available\r\n');
          break;
        }
        session.write('+OK Begin TLS negotiation\r\n');
        if (!(await session.startTls())) return;
        break;
      case 'USER':
        if (!session.loginAllowed) {
          session.write('-ERR Use STLS first\r\n');
          break;
        }
        if (argument === undefined || argument === '') {
          session.write('-ERR USER needs a name\r\n');
          break;
        }
        user = argument;
        session.write('+OK\r\n');
        break;
      case 'PASS':
        if (user === undefined) {
          session.write('-ERR USER first\r\n');
          break;
        }
        // RFC 1939 §7: the password is the rest of the line, spaces included.
        if (await login(session, user, argument ?? '')) return;
        user = undefined;
        break;
      case 'AUTH': {
        if (argument === undefined) {
          session.write(session.loginAllowed ? '+OK\r\nPLAIN\r\n.\r\n' : '+OK\r\n.\r\n');
          break;
        }
        if (!session.loginAllowed) {
          session.write('-ERR Use STLS first\r\n');
          break;
        }
        const [mechanism, initial] = argument.split(' ');
        if (mechanism?.toUpperCase() !== 'PLAIN') {
          session.write('-ERR Unsupported authentication mechanism\r\n');
          break;
        }
        let message = initial;
        if (message === undefined) {
          session.write('+ \r\n');
          const answer = await session.readLine();
          if (answer === null) return;
          message = answer;
        }
        if (message.trim() === '*') {
          session.write('-ERR Authentication cancelled\r\n');
          break;
        }
        const credentials = decodeSaslPlain(message === '=' ? '' : message);
        if (credentials === undefined) {
          session.write('-ERR Cannot decode the response\r\n');
          break;
        }
        if (await login(session, credentials.user, credentials.password)) return;
        break;
      }
      case 'QUIT':
        session.end('+OK Bye\r\n');
        return;
      default:
        session.write('-ERR Log in first\r\n');
    }
  }
}

/** The POP3 protocol of the proxy. */
export const pop3Protocol: ProtocolHandler = {
  run: runPop3Session,
  tooManyConnections: '-ERR [SYS/TEMP] Too many connections, try again later\r\n',
  async probe(runtime) {
    runtime.capabilities = await probePop3Upstream(runtime.upstream, 10_000);
  },
};
