import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenManager } from '@oauth-authorizer/core';
import { createSelfSignedCertificate } from '@oauth-authorizer/test-servers';
import { ImapFlow } from 'imapflow';
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

const ACCOUNT = 'scanner-imap@example.test';

let world: MailWorld;
let manager: TokenManager;
let proxy: TestProxy;

const LOGIN = `
import imaplib, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
imap = imaplib.IMAP4("127.0.0.1", port, timeout=20)
try:
    typ, data = imap.login(user, password)
except imaplib.IMAP4.error as error:
    print("refused", error)
    sys.exit(3)
print("login", data[0].decode())
`;

const APPEND_AND_FETCH = `${LOGIN}
body = ("Subject: " + sys.argv[4] + "\\r\\n\\r\\n" + "line of a large message\\r\\n" * 20000).encode()
print("append", imap.append("INBOX", None, None, body)[0])
typ, data = imap.select("INBOX")
count = int(data[0])
typ, data = imap.fetch(str(count), "(BODY.PEEK[])")
fetched = data[0][1]
print("fetched", len(fetched), fetched == body)
print("capability", imap.capability()[1][0].decode())
imap.logout()
`;

beforeAll(async () => {
  world = await startMailWorld();
  manager = await authorizedManager(world.server, ACCOUNT);
  const local = createSelfSignedCertificate(world.directory);
  proxy = await startTestProxy(
    [
      {
        name: 'imaps-local',
        protocol: 'imap',
        port: 0,
        tls: { mode: 'implicit', cert: local.certFile, key: local.keyFile },
        upstream: { host: '127.0.0.1', port: world.imap.port, tls: 'starttls', ca: world.caFile },
      },
      {
        name: 'imap',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.imap.port, tls: 'starttls', ca: world.caFile },
      },
      {
        name: 'imaps-upstream',
        protocol: 'imap',
        port: 0,
        upstream: {
          host: '127.0.0.1',
          port: world.dovecot.imapsPort,
          tls: 'implicit',
          ca: world.caFile,
          mechanism: 'XOAUTH2',
        },
      },
      {
        name: 'imap-plain-upstream',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.imap.port, tls: 'none' },
      },
      {
        name: 'imap-down',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: await closedPort(), tls: 'none' },
      },
    ],
    { [ACCOUNT]: manager },
    { scanner: { account: ACCOUNT } },
  );
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

describe('the IMAP proxy with real clients against Dovecot (STARTTLS and implicit TLS upstream, test CA)', () => {
  it("appends and fetches a 500 KB message with Python's imaplib (LOGIN, literals both ways)", async () => {
    const run = await runPython(APPEND_AND_FETCH, [
      proxy.port('imap'),
      'scanner',
      PASSWORD,
      'imaplib message',
    ]);
    expect(run.stderr).toBe('');
    const [login, append, fetched, capability] = run.stdout.trim().split('\n');
    // A CAPABILITY command after login is the upstream's answer, through the same filter.
    expect(capability).toMatch(/^capability IMAP4rev1 .*\bIDLE\b/);
    expect(capability).not.toMatch(/AUTH=|LOGINDISABLED|COMPRESS|STARTTLS/);
    // The capabilities the client is told: the upstream's, without its AUTH, STARTTLS and COMPRESS.
    expect(login).toMatch(/^login \[CAPABILITY IMAP4rev1 .*\bIDLE\b.*\] Logged in$/);
    expect(login).not.toMatch(/AUTH=|LOGINDISABLED|COMPRESS|STARTTLS/);
    expect(append).toBe('append OK');
    expect(fetched).toMatch(/^fetched \d{6} True$/);
    const session = (await waitForSessions(proxy, 1)).at(-1);
    expect(session).toMatchObject({ outcome: 'relayed', user: 'scanner' });
    expect(session?.event === 'session' && session.bytesToClient).toBeGreaterThan(500_000);
    expect(proxy.logText()).not.toContain(PASSWORD);
    expect(proxy.logText()).not.toContain(await manager.getAccessToken());
  });

  it('serves curl imap:// with user:password (AUTHENTICATE PLAIN) over an implicit-TLS upstream', async () => {
    await runPython(APPEND_AND_FETCH, [proxy.port('imap'), 'scanner', PASSWORD, 'for curl']);
    const list = await runClient('curl', [
      '-sS',
      '--max-time',
      '20',
      `imap://127.0.0.1:${proxy.port('imaps-upstream')}/INBOX?ALL`,
      '--user',
      `scanner:${PASSWORD}`,
    ]);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^\* SEARCH( \d+)+/);
    const last = list.stdout.trim().split(' ').at(-1);
    const message = await runClient('curl', [
      '-sS',
      '--max-time',
      '20',
      `imap://127.0.0.1:${proxy.port('imaps-upstream')}/INBOX;MAILINDEX=${last}`,
      '--user',
      `scanner:${PASSWORD}`,
    ]);
    expect(message.stdout).toContain('Subject: for curl');
  });

  it('fetches with imapflow given a plain user and password, IDLE included', async () => {
    await runPython(APPEND_AND_FETCH, [proxy.port('imap'), 'scanner', PASSWORD, 'for imapflow']);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: proxy.port('imap'),
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'scanner', pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const { exists } = await client.mailboxOpen('INBOX');
      const message = await client.fetchOne(String(exists), { envelope: true });
      expect(message === false ? undefined : message.envelope?.subject).toBe('for imapflow');
      // IDLE passes through: a message appended meanwhile is announced by the server.
      const announced = new Promise<number>((resolve) =>
        client.once('exists', (data: { count: number }) => resolve(data.count)),
      );
      const idle = client.idle();
      await runPython(APPEND_AND_FETCH, [proxy.port('imap'), 'scanner', PASSWORD, 'during IDLE']);
      expect(await announced).toBe(exists + 1);
      // IDLE ends when the next command (LOGOUT, below) is sent.
      idle.catch(() => undefined);
    } finally {
      await client.logout();
    }
  });

  it('relays concurrent FETCHes byte for byte, each its own, over plain, implicit-TLS and STARTTLS upstreams', async () => {
    // Messages of 80 KB, each line naming its folder and message: bytes of one session landing in
    // another's, or a read buffer reused before its bytes were written, would change some line.
    const body = (folder: string, index: number) =>
      `Subject: ${folder} ${index}\r\n\r\n${`${folder} message ${index} line of the relay test\r\n`.repeat(2000)}`;
    const folders = { 'relay-a': 'imap-plain-upstream', 'relay-b': 'imaps-upstream', 'relay-c': 'imap' };
    const count = 40;
    const client = (listener: string) =>
      new ImapFlow({
        host: '127.0.0.1',
        port: proxy.port(listener),
        secure: false,
        doSTARTTLS: false,
        auth: { user: 'scanner', pass: PASSWORD },
        logger: false,
      });
    const filler = client('imap-plain-upstream');
    await filler.connect();
    for (const folder of Object.keys(folders)) {
      await filler.mailboxCreate(folder).catch(() => undefined);
      for (let index = 1; index <= count; index++) await filler.append(folder, body(folder, index));
    }
    await filler.logout();

    const fetchFolder = async (folder: string, listener: string) => {
      const reader = client(listener);
      await reader.connect();
      const lock = await reader.getMailboxLock(folder);
      const sources: string[] = [];
      try {
        for await (const message of reader.fetch('1:*', { source: true }))
          sources.push(message.source?.toString() ?? '');
      } finally {
        lock.release();
        await reader.logout();
      }
      return sources;
    };
    const fetched = await Promise.all(
      Object.entries(folders).map(([folder, listener]) => fetchFolder(folder, listener)),
    );
    Object.keys(folders).forEach((folder, at) => {
      const sources = fetched[at] as string[];
      expect(sources.length, folder).toBe(count);
      sources.forEach((source, index) => {
        expect(source === body(folder, index + 1), `${folder} message ${index + 1}`).toBe(true);
      });
    });
  }, 60_000);

  it('serves curl imaps:// on a listener with implicit local TLS', async () => {
    await runPython(APPEND_AND_FETCH, [proxy.port('imap'), 'scanner', PASSWORD, 'over imaps']);
    const url = `imaps://127.0.0.1:${proxy.port('imaps-local')}/INBOX?SUBJECT%20%22over%20imaps%22`;
    const run = await runClient('curl', [
      '-sS',
      '--max-time',
      '20',
      '--cacert',
      join(world.directory, 'cert.pem'),
      url,
      '--user',
      `scanner:${PASSWORD}`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^\* SEARCH \d+/);
  });

  it('syncs the mailbox with mbsync (AuthMechs LOGIN)', async () => {
    await runPython(APPEND_AND_FETCH, [proxy.port('imap'), 'scanner', PASSWORD, 'for mbsync']);
    const local = join(world.directory, 'mbsync-maildir');
    const config = join(world.directory, 'mbsyncrc');
    await mkdir(local, { recursive: true });
    await writeFile(
      config,
      [
        'IMAPAccount proxy',
        'Host 127.0.0.1',
        `Port ${proxy.port('imap')}`,
        'User scanner',
        `Pass "${PASSWORD}"`,
        'AuthMechs LOGIN',
        'SSLType None',
        '',
        'IMAPStore remote',
        'Account proxy',
        '',
        'MaildirStore local',
        `Path ${local}/`,
        `Inbox ${local}/INBOX`,
        '',
        'Channel inbox',
        'Far :remote:',
        'Near :local:',
        'Patterns INBOX',
        'Create Near',
        'SyncState *',
        '',
      ].join('\n'),
    );
    const run = await runClient('mbsync', ['-c', config, '-a']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const files = await readdir(join(local, 'INBOX', 'cur')).catch(() => []);
    const newFiles = await readdir(join(local, 'INBOX', 'new')).catch(() => []);
    const contents = await Promise.all([
      ...files.map((file) => readFile(join(local, 'INBOX', 'cur', file), 'utf8')),
      ...newFiles.map((file) => readFile(join(local, 'INBOX', 'new', file), 'utf8')),
    ]);
    expect(contents.some((content) => content.includes('Subject: for mbsync'))).toBe(true);
  });

  it('refuses a wrong password with NO [AUTHENTICATIONFAILED] after the delay, without connecting upstream', async () => {
    const connections = world.imap.connections();
    const run = await runPython(LOGIN, [proxy.port('imap'), 'scanner', 'not the password']);
    expect(run.stdout).toContain('refused');
    expect(run.stdout).toContain('[AUTHENTICATIONFAILED]');
    expect(run.elapsedMs).toBeGreaterThanOrEqual(FAILURE_DELAY * 1000);
    const curl = await runClient('curl', [
      '-sS',
      `imap://127.0.0.1:${proxy.port('imap')}/`,
      '--user',
      'scanner:wrong',
    ]);
    expect(curl.code).not.toBe(0);
    expect(world.imap.connections()).toBe(connections);
  });

  it('answers NO [UNAVAILABLE] when the upstream is down', async () => {
    const run = await runPython(LOGIN, [proxy.port('imap-down'), 'scanner', PASSWORD]);
    expect(run.stdout).toContain('refused');
    expect(run.stdout).toContain('[UNAVAILABLE]');
  });

  it('refuses commands before login and keeps the proxy capabilities honest', async () => {
    const run = await runPython(
      `
import imaplib, sys
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
print(" ".join(imap.capabilities))
try:
    imap.select("INBOX")
except imaplib.IMAP4.error as error:
    print("refused", error)
`,
      [proxy.port('imap')],
    );
    const [capabilities, refused] = run.stdout.trim().split('\n');
    expect(capabilities?.split(' ')).toEqual(expect.arrayContaining(['IMAP4REV1', 'AUTH=PLAIN', 'SASL-IR']));
    expect(capabilities).not.toMatch(/LOGINDISABLED|XOAUTH2|OAUTHBEARER/);
    expect(refused).toMatch(/^refused/);
  });
});
