import type { ProtocolHandler } from '../proxy-server.js';
import { decodeSaslPlain } from '../sasl-plain.js';
import type { LocalSession } from '../session.js';
import { clientCapabilities } from './capabilities.js';
import { CapabilityFilter } from './capability-filter.js';
import { readImapCommand } from './command-reader.js';
import { loginImapUpstream } from './upstream-login.js';

/** What the proxy itself offers before login (RFC 3501, RFC 4959 SASL-IR, RFC 2971 ID). */
function localCapabilities(session: LocalSession): string {
  const capabilities = ['IMAP4rev1', 'SASL-IR', 'ID', 'LITERAL+'];
  if (session.canStartTls) capabilities.push('STARTTLS');
  // Where plain passwords are not taken yet (before STARTTLS on a non-loopback listener), say so.
  capabilities.push(...(session.loginAllowed ? ['AUTH=PLAIN'] : ['LOGINDISABLED']));
  return capabilities.join(' ');
}

async function login(session: LocalSession, tag: string, user: string, password: string): Promise<boolean> {
  const result = await session.login(user, password, loginImapUpstream);
  if (result.status === 'ok') {
    const capabilities = clientCapabilities(result.upstream.capabilities).join(' ');
    session.write(`${tag} OK [CAPABILITY ${capabilities}] Logged in\r\n`);
    await session.relay(result.upstream, new CapabilityFilter());
    return true;
  }
  if (result.status === 'refused')
    session.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
  else if (result.status === 'unavailable')
    session.write(`${tag} NO [UNAVAILABLE] The mail server is not available, try again later.\r\n`);
  else session.write(`${tag} NO [AUTHENTICATIONFAILED] ${result.reason}\r\n`);
  return false;
}

/**
 * The local IMAP side until login: CAPABILITY (the proxy's own), NOOP, ID, LOGOUT, STARTTLS,
 * LOGIN and AUTHENTICATE PLAIN (with SASL-IR or a continuation), literals included. Every other
 * command is refused until the client has logged in; after that the session is relayed, and the
 * tagged OK of the login, like every later CAPABILITY response, carries the upstream's
 * capabilities without its authentication, STARTTLS and COMPRESS.
 */
export async function runImapSession(session: LocalSession): Promise<void> {
  session.byeOnTimeout = '* BYE Autologout; idle or line too long\r\n';
  session.write(`* OK [CAPABILITY ${localCapabilities(session)}] OAuth Authorizer mail proxy ready\r\n`);
  for (;;) {
    const command = await readImapCommand(session);
    if (command === null) return;
    if (command === 'bad') {
      session.write('* BAD Invalid command\r\n');
      continue;
    }
    const { tag, name, args } = command;
    switch (name) {
      case 'CAPABILITY':
        session.write(`* CAPABILITY ${localCapabilities(session)}\r\n${tag} OK Capability completed\r\n`);
        break;
      case 'NOOP':
        session.write(`${tag} OK NOOP completed\r\n`);
        break;
      case 'ID':
        session.write(`* ID NIL\r\n${tag} OK ID completed\r\n`);
        break;
      case 'LOGOUT':
        session.end(`* BYE Logging out\r\n${tag} OK Logout completed\r\n`);
        return;
      case 'STARTTLS':
        if (!session.canStartTls) {
          session.write(`${tag} BAD STARTTLS not available\r\n`);
          break;
        }
        session.write(`${tag} OK Begin TLS negotiation now\r\n`);
        if (!(await session.startTls())) return;
        break;
      case 'LOGIN': {
        if (!session.loginAllowed) {
          session.write(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first\r\n`);
          break;
        }
        const [user, password] = args;
        if (user === undefined || password === undefined || args.length !== 2) {
          session.write(`${tag} BAD LOGIN needs a user name and a password\r\n`);
          break;
        }
        if (await login(session, tag, user, password)) return;
        break;
      }
      case 'AUTHENTICATE': {
        if (!session.loginAllowed) {
          session.write(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first\r\n`);
          break;
        }
        if (args[0]?.toUpperCase() !== 'PLAIN') {
          session.write(`${tag} NO Unsupported authentication mechanism\r\n`);
          break;
        }
        let message = args[1];
        if (message === undefined) {
          session.write('+ \r\n');
          const line = await session.readLine();
          if (line === null) return;
          message = line;
        }
        if (message.trim() === '*') {
          session.write(`${tag} BAD Authentication cancelled\r\n`);
          break;
        }
        const credentials = decodeSaslPlain(message === '=' ? '' : message);
        if (credentials === undefined) {
          session.write(`${tag} BAD Cannot decode the response\r\n`);
          break;
        }
        if (await login(session, tag, credentials.user, credentials.password)) return;
        break;
      }
      default:
        session.write(`${tag} BAD Log in first\r\n`);
    }
  }
}

/** The IMAP protocol of the proxy. */
export const imapProtocol: ProtocolHandler = {
  run: runImapSession,
  tooManyConnections: '* BYE [UNAVAILABLE] Too many connections, try again later\r\n',
};
