import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenManager } from '@oauth-authorizer/core';
import { createSelfSignedCertificate } from '@oauth-authorizer/test-servers';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizedManager,
  closedPort,
  FAILURE_DELAY,
  invalidateAccessToken,
  type MailWorld,
  PASSWORD,
  runClient,
  runPython,
  startMailWorld,
  startTestProxy,
  type TestProxy,
  waitForSessions,
} from './fixtures.js';

const ACCOUNT = 'printer-smtp@example.test';

let world: MailWorld;
let manager: TokenManager;
let proxy: TestProxy;
let downPort: number;

const SEND = `
import smtplib, sys
port, user, password, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
message = f"From: {sys.argv[5]}\\r\\nTo: sink@example.test\\r\\nSubject: {subject}\\r\\n\\r\\nHello through the proxy.\\r\\n"
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        smtp.ehlo("scanner.example.test")
        print("EHLO", " ".join(sorted(smtp.esmtp_features)), file=sys.stderr)
        smtp.login(user, password)
        smtp.sendmail(sys.argv[5], ["sink@example.test"], message)
    print("sent")
except smtplib.SMTPResponseException as error:
    print(error.smtp_code, error.smtp_error.decode())
    sys.exit(3)
`;

beforeAll(async () => {
  world = await startMailWorld();
  manager = await authorizedManager(world.server, ACCOUNT);
  downPort = await closedPort();
  const certificate = createSelfSignedCertificate(world.directory);
  proxy = await startTestProxy(
    [
      {
        name: 'smtp',
        protocol: 'smtp',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.submission.port, tls: 'starttls', ca: world.caFile },
      },
      {
        name: 'smtp-starttls',
        protocol: 'smtp',
        port: 0,
        tls: { mode: 'starttls', cert: certificate.certFile, key: certificate.keyFile },
        upstream: { host: '127.0.0.1', port: world.submission.port, tls: 'starttls', ca: world.caFile },
      },
      {
        name: 'smtp-down',
        protocol: 'smtp',
        port: 0,
        upstream: { host: '127.0.0.1', port: downPort, tls: 'none' },
      },
    ],
    { [ACCOUNT]: manager },
    { printer: { account: ACCOUNT } },
  );
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

describe('the SMTP proxy with real clients against Dovecot submission (STARTTLS upstream, test CA)', () => {
  it("delivers a message from Python's smtplib with AUTH PLAIN, and logs no secret", async () => {
    const before = world.sink.messages.length;
    const run = await runPython(SEND, [proxy.port('smtp'), 'printer', PASSWORD, 'via smtplib', ACCOUNT]);
    expect(run.stdout.trim(), run.stderr).toBe('sent');
    // The keywords that pass through, as the upstream offers them; AUTH is the proxy's own.
    const keywords = /EHLO (.*)/.exec(run.stderr)?.[1]?.split(' ');
    expect(keywords).toEqual(expect.arrayContaining(['auth', 'pipelining', '8bitmime', 'chunking', 'size']));
    expect(keywords).not.toContain('burl');
    expect(keywords).not.toContain('starttls');
    await world.sink.waitForMessages(before + 1);
    const message = world.sink.messages.at(-1);
    expect(message?.raw).toContain('Subject: via smtplib');
    expect(message?.from).toBe(ACCOUNT);
    const sessions = await waitForSessions(proxy, 1);
    const session = sessions.at(-1);
    expect(session).toMatchObject({ outcome: 'relayed', user: 'printer', listener: 'smtp' });
    expect(session?.event === 'session' && session.bytesFromClient).toBeGreaterThan(50);
    const token = await manager.getAccessToken();
    expect(proxy.logText()).not.toContain(PASSWORD);
    expect(proxy.logText()).not.toContain(token);
  });

  it('delivers a message from msmtp with auth plain over the local STARTTLS', async () => {
    const before = world.sink.messages.length;
    const directory = world.directory;
    const file = join(directory, 'msmtprc');
    await writeFile(
      file,
      [
        'account proxy',
        'host 127.0.0.1',
        `port ${proxy.port('smtp-starttls')}`,
        'auth plain',
        'user printer',
        `password ${PASSWORD}`,
        'tls on',
        'tls_starttls on',
        `tls_trust_file ${join(directory, 'cert.pem')}`,
        `from ${ACCOUNT}`,
        '',
      ].join('\n'),
    );
    await chmod(file, 0o600);
    const run = await runClient('msmtp', ['-C', file, '-a', 'proxy', 'sink@example.test'], {
      input: 'Subject: via msmtp\n\nHello from msmtp.\n',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await world.sink.waitForMessages(before + 1);
    expect(world.sink.messages.at(-1)?.raw).toContain('Subject: via msmtp');
  });

  it('delivers with curl smtp:// and user:password, and with nodemailer given a plain user and password', async () => {
    const before = world.sink.messages.length;
    const file = join(world.directory, 'curl-message.txt');
    await writeFile(
      file,
      'From: <printer-smtp@example.test>\r\nSubject: via curl\r\n\r\nHello from curl.\r\n',
    );
    const run = await runClient('curl', [
      '-sS',
      '--max-time',
      '20',
      `smtp://127.0.0.1:${proxy.port('smtp')}/scanner.example.test`,
      '--user',
      `printer:${PASSWORD}`,
      '--mail-from',
      ACCOUNT,
      '--mail-rcpt',
      'sink@example.test',
      '--upload-file',
      file,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: proxy.port('smtp'),
      secure: false,
      ignoreTLS: true,
      auth: { user: 'printer', pass: PASSWORD },
    });
    try {
      const info = await transport.sendMail({
        from: ACCOUNT,
        to: 'sink@example.test',
        subject: 'via nodemailer',
        text: 'Hello.',
      });
      expect(info.accepted).toEqual(['sink@example.test']);
    } finally {
      transport.close();
    }
    await world.sink.waitForMessages(before + 2);
    const subjects = world.sink.messages
      .slice(before)
      .map((message) => /Subject: (.*)\r\n/.exec(message.raw)?.[1]);
    expect(subjects.sort()).toEqual(['via curl', 'via nodemailer']);
  });

  it('relays BDAT (CHUNKING) and a pipelined envelope byte for byte to the upstream', async () => {
    const before = world.sink.messages.length;
    const message = 'Subject: via BDAT\r\n\r\nChunked through the proxy.\r\n';
    const credentials = Buffer.from(`\0printer\0${PASSWORD}`).toString('base64');
    const run = await runPython(
      `
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.strip())
        if line[3:4] != "-":
            return lines
reply()
s.sendall(b"EHLO bdat.example.test\\r\\n"); print(reply())
s.sendall(b"AUTH PLAIN " + sys.argv[2].encode() + b"\\r\\n"); print(reply())
body = sys.argv[4].replace("\\\\r\\\\n", "\\r\\n").encode()
s.sendall(b"MAIL FROM:<" + sys.argv[3].encode() + b">\\r\\nRCPT TO:<sink@example.test>\\r\\nBDAT " + str(len(body)).encode() + b" LAST\\r\\n" + body)
print(reply()); print(reply()); print(reply())
s.sendall(b"QUIT\\r\\n"); print(reply())
`,
      [proxy.port('smtp'), credentials, ACCOUNT, message.replace(/\r\n/g, '\\r\\n')],
    );
    expect(run.stderr).toBe('');
    const replies = run.stdout.trim().split('\n');
    expect(replies[0]).toContain('CHUNKING');
    expect(replies[1]).toContain('235 2.7.0');
    expect(replies.slice(2, 5).map((reply) => reply.slice(2, 5))).toEqual(['250', '250', '250']);
    await world.sink.waitForMessages(before + 1);
    expect(world.sink.messages.at(-1)?.raw).toContain('Chunked through the proxy.');
  });

  it('refuses a wrong password after the fixed delay, without connecting upstream', async () => {
    const connections = world.submission.connections();
    const run = await runPython(SEND, [proxy.port('smtp'), 'printer', 'wrong password', 'never', ACCOUNT]);
    expect(run.stdout.trim()).toMatch(/^535 5\.7\.8 /);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(FAILURE_DELAY * 1000);
    const unknown = await runPython(SEND, [proxy.port('smtp'), 'nobody', PASSWORD, 'never', ACCOUNT]);
    expect(unknown.stdout.trim()).toMatch(/^535 5\.7\.8 /);
    expect(world.submission.connections()).toBe(connections);
    expect(proxy.logText()).not.toContain('nobody');
  });

  it('answers 454 (temporary) when the upstream is down', async () => {
    const run = await runPython(SEND, [proxy.port('smtp-down'), 'printer', PASSWORD, 'never', ACCOUNT]);
    expect(run.stdout.trim()).toMatch(/^454 4\.7\.0 /);
    const entry = proxy.logs.filter((e) => e.event === 'session' && e.listener === 'smtp-down').at(-1);
    expect(entry).toMatchObject({ outcome: 'upstream-unavailable' });
  });

  it('answers a token the upstream rejects with one forced refresh and one retry, and the client never sees it', async () => {
    await invalidateAccessToken(world.server, await manager.getAccessToken());
    const refreshes = world.server.countTokenRequests('refresh_token');
    const before = world.sink.messages.length;
    const run = await runPython(SEND, [
      proxy.port('smtp'),
      'printer',
      PASSWORD,
      'after a rejection',
      ACCOUNT,
    ]);
    expect(run.stdout.trim(), run.stderr).toBe('sent');
    await world.sink.waitForMessages(before + 1);
    expect(world.server.countTokenRequests('refresh_token') - refreshes).toBe(1);
  });

  it('refuses mail commands before a login', async () => {
    const run = await runPython(
      `
import smtplib, sys
smtp = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
smtp.ehlo()
print(smtp.mail("a@example.test")[0])
`,
      [proxy.port('smtp')],
    );
    expect(run.stdout.trim()).toBe('530');
  });
});
