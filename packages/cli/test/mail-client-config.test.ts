import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clients,
  type Dovecot,
  type SmtpServer,
  startDovecot,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './cli-process.js';
import { startInTerminal } from './pseudo-terminal.js';
import { MAIL_SCOPES, startTestProvider, type TestProvider } from './test-provider.js';

const ACCOUNT = 'mia@example.test';
let provider: TestProvider;
let sink: SmtpServer;
let dovecot: Dovecot;
let directory: string;
let home: string;
let caFile: string;

/** Runs a program to its end, with `input` on stdin. */
function run(
  file: string,
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: { ...process.env, ...options.env }, timeout: 60_000, cwd: options.cwd },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    // A command may exit before it reads its input (mbsync refusing its configuration): the exit
    // status is what counts, not a write to a closed pipe.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** `oauth-authorizer config <args>`, checked to succeed; its stdout. */
async function config(...args: string[]): Promise<string> {
  const result = await runCli(['config', ...args], { home });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Writes `text` to a new file of mode 0600 (msmtp and aerc insist) and returns its path. */
async function saveFile(name: string, text: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  provider = await startTestProvider();
  sink = await startSmtpServer();
  const rs = clients.resourceServer;
  dovecot = await startDovecot({
    introspection: {
      url: provider.server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
    smtpRelayPort: sink.port,
    tls: true,
  });
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-config-'));
  caFile = join(directory, 'ca.pem');
  await writeFile(caFile, dovecot.certificate as string);
  // A custom preset: the test authorization server, and the test Dovecot with TLS as its mail servers.
  const presetFile = join(directory, 'dovecot-preset.json');
  await writeFile(
    presetFile,
    JSON.stringify({
      id: 'test-dovecot',
      name: 'Test Dovecot',
      authorizationUrl: provider.server.endpoints.authorization,
      deviceAuthorizationUrl: provider.server.endpoints.deviceAuthorization,
      tokenUrl: provider.server.endpoints.token,
      scopes: MAIL_SCOPES,
      flows: ['code', 'device'],
      mail: {
        imap: { host: '127.0.0.1', port: dovecot.imapsPort, tls: 'implicit' },
        smtp: { host: '127.0.0.1', port: dovecot.submissionPort, tls: 'starttls' },
        pop3: { host: '127.0.0.1', port: dovecot.pop3sPort, tls: 'implicit' },
        sasl: 'XOAUTH2',
      },
    }),
  );
  home = await provider.newHome();
  const authorized = await runCli(
    ['authorize', ACCOUNT, '--preset', presetFile, '--client-id', clients.native.clientId],
    { home, env: { TEST_BROWSER_LOGIN: ACCOUNT } },
  );
  expect(authorized.code, authorized.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await dovecot?.close();
  await sink?.close();
  await provider?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** The mail clients run `token` with OAUTH_AUTHORIZER_HOME from their environment. */
const clientEnv = () => ({ OAUTH_AUTHORIZER_HOME: home });

describe('config <client> <account> prints a configuration the real client works with', () => {
  it('msmtp: sends a message through Dovecot submission (STARTTLS, XOAUTH2)', async () => {
    const text = await config('msmtp', ACCOUNT, '--ca', caFile);
    expect(text).toContain(`passwordeval "${process.execPath} ${BIN} token ${ACCOUNT}"`);
    expect(text).toContain('auth xoauth2');
    expect(text).toContain('tls_starttls on');
    const file = await saveFile('msmtprc', text);
    const before = sink.messages.length;
    const sent = await run('msmtp', ['-C', file, 'rcpt@example.test'], {
      input: 'Subject: from msmtp\n\nsent by msmtp\n',
      env: clientEnv(),
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sink.messages.length).toBe(before + 1);
    const message = sink.messages.at(-1);
    expect(message?.from).toBe(ACCOUNT);
    expect(message?.raw).toContain('Subject: from msmtp');
  });

  it('mbsync: syncs INBOX into a Maildir with the installed isync 1.4 (SSLType IMAPS), which rejects the 1.5 spelling', async () => {
    // A message in the account's Dovecot mailbox (home=<dir>/mail/%d/%n).
    const [user, domain] = ACCOUNT.split('@') as [string, string];
    const maildir = join(dovecot.directory, 'mail', domain, user, 'Maildir');
    for (const sub of ['', 'new', 'cur', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
    await writeFile(join(maildir, 'new', '1700000000.M1P1.test'), 'Subject: for mbsync\r\n\r\nhello\r\n');
    for (const path of [
      join(dovecot.directory, 'mail', domain),
      join(dovecot.directory, 'mail', domain, user),
    ])
      await chown(path, 65534, 65534);
    await run('chown', ['-R', '65534:65534', maildir]);

    // mbsync creates the mailboxes, not the store's own directory (the configuration says so).
    const local = join(directory, 'Mail');
    await mkdir(local, { recursive: true });
    const detected = await config('mbsync', ACCOUNT, '--ca', caFile, '--maildir', local);
    expect(detected).toContain('SSLType IMAPS');
    expect(detected).toContain('AuthMechs XOAUTH2');
    expect(detected).toContain(`PassCmd "${process.execPath} ${BIN} token ${ACCOUNT}"`);
    const file = await saveFile('mbsyncrc', detected);
    const synced = await run('mbsync', ['-c', file, '-a'], { env: clientEnv() });
    expect(synced.code, `${synced.stdout}${synced.stderr}`).toBe(0);
    const inbox = join(local, 'INBOX');
    const files = [...(await readdir(join(inbox, 'new'))), ...(await readdir(join(inbox, 'cur')))];
    expect(files).toHaveLength(1);
    const sub = (await readdir(join(inbox, 'new'))).length ? 'new' : 'cur';
    expect(await readFile(join(inbox, sub, files[0] as string), 'utf8')).toContain('Subject: for mbsync');

    const newer = await config('mbsync', ACCOUNT, '--isync-version', '1.5', '--maildir', local);
    expect(newer).toContain('TLSType IMAPS');
    expect(newer).not.toContain('SSLType');
    const rejected = await run('mbsync', ['-c', await saveFile('mbsyncrc-1.5', newer), '-l', '-a'], {
      env: clientEnv(),
    });
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain("keyword 'TLSType' is not recognized");
  });

  it('neomutt: sends a message in batch mode (its own XOAUTH2 with the token command)', async () => {
    const text = await config('neomutt', ACCOUNT, '--ca', caFile);
    expect(text).toContain(`set smtp_oauth_refresh_command = "${process.execPath} ${BIN} token ${ACCOUNT}"`);
    expect(text).toContain(
      `set smtp_url = "smtp://${encodeURIComponent(ACCOUNT)}@127.0.0.1:${dovecot.submissionPort}/"`,
    );
    expect(text).toContain(
      `set folder = "imaps://${encodeURIComponent(ACCOUNT)}@127.0.0.1:${dovecot.imapsPort}/"`,
    );
    const file = await saveFile('neomuttrc', text);
    const neomuttHome = join(directory, 'neomutt-home');
    await mkdir(neomuttHome, { recursive: true });
    const before = sink.messages.length;
    const sent = await run('neomutt', ['-n', '-F', file, '-s', 'from neomutt', 'rcpt@example.test'], {
      input: 'sent by neomutt\n',
      env: { ...clientEnv(), HOME: neomuttHome },
    });
    expect(sent.code, `${sent.stdout}${sent.stderr}`).toBe(0);
    expect(sink.messages.length).toBe(before + 1);
    expect(sink.messages.at(-1)?.raw).toContain('Subject: from neomutt');
    expect(sink.messages.at(-1)?.from).toBe(ACCOUNT);
  });

  it('aerc: its accounts.conf parses, and aerc logs in to Dovecot over IMAPS with XOAUTH2', async () => {
    const text = await config('aerc', ACCOUNT, '--ca', caFile);
    expect(text).toContain(
      `source = imaps+xoauth2://${encodeURIComponent(ACCOUNT)}@127.0.0.1:${dovecot.imapsPort}`,
    );
    expect(text).toContain(
      `outgoing = smtp+xoauth2://${encodeURIComponent(ACCOUNT)}@127.0.0.1:${dovecot.submissionPort}`,
    );
    expect(text).toContain(`source-cred-cmd = ${process.execPath} ${BIN} token ${ACCOUNT}`);
    const configHome = join(directory, 'xdg');
    await mkdir(join(configHome, 'aerc'), { recursive: true });
    await writeFile(join(configHome, 'aerc', 'accounts.conf'), text, { mode: 0o600 });
    await chmod(join(configHome, 'aerc', 'accounts.conf'), 0o600);
    const logins = () =>
      (
        dovecot.log().match(new RegExp(`imap-login: Info: Login: user=<${ACCOUNT}>, method=XOAUTH2`, 'g')) ??
        []
      ).length;
    const before = logins();
    const session = startInTerminal(['aerc'], {
      ...(process.env as Record<string, string>),
      ...clientEnv(),
      XDG_CONFIG_HOME: configHome,
      HOME: directory,
      TERM: 'xterm-256color',
      SSL_CERT_FILE: caFile,
    });
    try {
      await session.waitFor(/INBOX/, 30_000);
      const deadline = Date.now() + 20_000;
      while (logins() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(logins(), `${session.transcript()}\n${dovecot.log().slice(-3000)}`).toBeGreaterThan(before);
      expect(session.transcript()).not.toMatch(/error|failed/i);
    } finally {
      session.type(':quit\r');
      const timer = setTimeout(() => session.kill(), 5000);
      await session.exited;
      clearTimeout(timer);
    }
  });
});

describe('config builds from the preset and the overrides', () => {
  it('--host/--port/--tls override the server; --mechanism, --user and --name are used; no token is fetched', async () => {
    const before = provider.server.tokenRequests.length;
    const text = await config(
      'msmtp',
      ACCOUNT,
      '--host',
      'smtp.lab.example',
      '--port',
      '465',
      '--mechanism',
      'oauthbearer',
      '--user',
      'other@lab.example',
      '--name',
      'lab',
    );
    expect(text).toContain('account lab\nhost smtp.lab.example\nport 465\ntls on\ntls_starttls off\n');
    expect(text).toContain('auth oauthbearer');
    expect(text).toContain('user other@lab.example');
    expect(text).toContain('account default : lab');
    const plain = await config('mbsync', ACCOUNT, '--tls', 'none', '--port', '143', '--isync-version', '1.4');
    expect(plain).toContain('Port 143\n');
    expect(plain).toContain('SSLType None');
    expect(provider.server.tokenRequests.length).toBe(before);
  });

  it('a preset without mail servers needs --host; unknown clients, accounts and bad flags are clear errors', async () => {
    const bare = await provider.newHome();
    const authorized = await runCli(
      [
        'authorize',
        'noel@example.test',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
      ],
      { home: bare, env: { TEST_BROWSER_LOGIN: 'noel@example.test' } },
    );
    expect(authorized.code, authorized.stderr).toBe(0);
    const missing = await runCli(['config', 'msmtp', 'noel@example.test'], { home: bare });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("the account's preset names no SMTP server; give --host");
    const given = await runCli(['config', 'msmtp', 'noel@example.test', '--host', 'smtp.example.com'], {
      home: bare,
    });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain('host smtp.example.com\nport 465\n');
    const unknownClient = await runCli(['config', 'thunderbird', ACCOUNT], { home });
    expect(unknownClient.code).toBe(2);
    expect(unknownClient.stderr).toContain(
      'config: give the mail client (msmtp, mbsync, neomutt, aerc), got "thunderbird"',
    );
    expect((await runCli(['config', 'msmtp', 'nobody'], { home })).code).toBe(3);
    const badTls = await runCli(['config', 'aerc', ACCOUNT, '--imap', 'imap.example.com:993:ssl'], { home });
    expect(badTls.code).toBe(2);
    expect(badTls.stderr).toContain('--imap must be implicit, starttls or none, got "ssl"');
    const cleartext = await runCli(
      ['config', 'msmtp', ACCOUNT, '--host', 'smtp.example.com', '--tls', 'none'],
      { home },
    );
    expect(cleartext.code).toBe(2);
    expect(cleartext.stderr).toContain('SMTP without TLS is allowed to loopback hosts only');
  });
});
