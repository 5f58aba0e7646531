import type { TokenManager } from '@oauth-authorizer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizedManager,
  closedPort,
  FAILURE_DELAY,
  type MailWorld,
  PASSWORD,
  runClient,
  runPython,
  startMailWorld,
  startTestProxy,
  type TestProxy,
  waitForSessions,
} from './fixtures.js';

const ACCOUNT = 'device-pop3@example.test';

let world: MailWorld;
let manager: TokenManager;
let proxy: TestProxy;

const APPEND = `
import imaplib, sys
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
imap.login(sys.argv[2], sys.argv[3])
body = ("Subject: " + sys.argv[4] + "\\r\\n\\r\\nHello over POP3.\\r\\n").encode()
print(imap.append("INBOX", None, None, body)[0])
imap.logout()
`;

const RETRIEVE = `
import poplib, sys
pop = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
try:
    pop.user(sys.argv[2])
    pop.pass_(sys.argv[3])
except poplib.error_proto as error:
    print("refused", error.args[0].decode())
    sys.exit(3)
count, size = pop.stat()
response, lines, octets = pop.retr(count)
print("retrieved", [line.decode() for line in lines if line.startswith(b"Subject:")][0])
print(pop.quit().decode())
`;

beforeAll(async () => {
  world = await startMailWorld();
  manager = await authorizedManager(world.server, ACCOUNT);
  proxy = await startTestProxy(
    [
      {
        name: 'pop3',
        protocol: 'pop3',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.pop3.port, tls: 'starttls', ca: world.caFile },
      },
      {
        name: 'pop3s-upstream',
        protocol: 'pop3',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.dovecot.pop3sPort, tls: 'implicit', ca: world.caFile },
      },
      {
        name: 'imap',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.dovecot.imapsPort, tls: 'implicit', ca: world.caFile },
      },
      {
        name: 'pop3-down',
        protocol: 'pop3',
        port: 0,
        upstream: { host: '127.0.0.1', port: await closedPort(), tls: 'none' },
      },
    ],
    { [ACCOUNT]: manager },
    { device: { account: ACCOUNT } },
  );
  const append = await runPython(APPEND, [proxy.port('imap'), 'device', PASSWORD, 'for pop3']);
  if (append.stdout.trim() !== 'OK') throw new Error(`APPEND failed: ${append.stdout}${append.stderr}`);
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

describe('the POP3 proxy with real clients against Dovecot (STLS and implicit TLS upstream, test CA)', () => {
  it("retrieves a message with Python's poplib (USER/PASS) and logs no secret", async () => {
    const run = await runPython(RETRIEVE, [proxy.port('pop3'), 'device', PASSWORD]);
    expect(run.stderr).toBe('');
    const [retrieved, quit] = run.stdout.trim().split('\n');
    expect(retrieved).toBe('retrieved Subject: for pop3');
    expect(quit).toMatch(/^\+OK/);
    const sessions = await waitForSessions(proxy, 2);
    expect(sessions.at(-1)).toMatchObject({ outcome: 'relayed', user: 'device', listener: 'pop3' });
    expect(proxy.logText()).not.toContain(PASSWORD);
    expect(proxy.logText()).not.toContain(await manager.getAccessToken());
  });

  it('lists and retrieves with curl pop3:// and user:password (AUTH PLAIN) over an implicit-TLS upstream', async () => {
    const url = `pop3://127.0.0.1:${proxy.port('pop3s-upstream')}/`;
    const list = await runClient('curl', ['-sS', '--max-time', '20', url, '--user', `device:${PASSWORD}`]);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^1 \d+\r?\n/);
    const message = await runClient('curl', [
      '-sS',
      '--max-time',
      '20',
      `${url}1`,
      '--user',
      `device:${PASSWORD}`,
    ]);
    expect(message.stdout).toContain('Subject: for pop3');
  });

  it('refuses a wrong password with -ERR [AUTH] after the delay, without connecting upstream', async () => {
    const connections = world.pop3.connections();
    const run = await runPython(RETRIEVE, [proxy.port('pop3'), 'device', 'wrong']);
    expect(run.stdout.trim()).toBe('refused -ERR [AUTH] Authentication failed.');
    expect(run.elapsedMs).toBeGreaterThanOrEqual(FAILURE_DELAY * 1000);
    expect(world.pop3.connections()).toBe(connections);
  });

  it('answers -ERR [SYS/TEMP] when the upstream is down', async () => {
    const run = await runPython(RETRIEVE, [proxy.port('pop3-down'), 'device', PASSWORD]);
    expect(run.stdout.trim()).toMatch(/^refused -ERR \[SYS\/TEMP\] /);
  });
});
