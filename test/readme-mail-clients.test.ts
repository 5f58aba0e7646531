import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clients,
  type Dovecot,
  type SmtpServer,
  startDovecot,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../packages/cli/test/cli-process.js';
import { startTestProvider, type TestProvider } from '../packages/cli/test/test-provider.js';

// The README's mail-client snippets, as a user copies them: only the server's address (and, for
// our test certificate, a trust line) is changed, and `oauth-authorizer token` is the built CLI.
// Real msmtp, mbsync (Debian's isync 1.4) and neomutt log in to Dovecot, which checks every token
// by introspection at the authorization server.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'oauth-authorizer-readme-clients-'));
const bin = join(scratch, 'bin');
let provider: TestProvider;
let sink: SmtpServer;
let dovecot: Dovecot;
let home: string;
let certificateFile: string;

/** The README's fenced block without a language that starts with `first`. */
function snippet(first: string): string {
  const found: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of readme.split('\n')) {
    if (open === undefined && line.startsWith('```')) open = { language: line.slice(3).trim(), lines: [] };
    else if (open !== undefined && line === '```') {
      if (open.language === '') found.push(`${open.lines.join('\n')}\n`);
      open = undefined;
    } else open?.lines.push(line);
  }
  const block = found.find((code) => code.startsWith(first));
  if (block === undefined) throw new Error(`the README has no block starting with "${first}"`);
  return block;
}

/** Runs a command without blocking this process, which also runs the authorization server. */
function run(
  command: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  return new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: scratch,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          OAUTH_AUTHORIZER_HOME: home,
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, output: `${stdout}${stderr}` });
      },
    );
    // A command may exit before it reads its input (mbsync refusing its configuration): the exit
    // status is what counts, not a write to a closed pipe.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

async function authorize(account: string, login: string): Promise<void> {
  const result = await runCli(
    ['authorize', account, '--preset', provider.presetFile, '--client-id', clients.native.clientId],
    { home, env: { TEST_BROWSER_LOGIN: login } },
  );
  expect(result.code, result.stderr).toBe(0);
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
  certificateFile = join(scratch, 'dovecot.pem');
  writeFileSync(certificateFile, dovecot.certificate ?? '');
  home = await provider.newHome();
  mkdirSync(bin);
  writeFileSync(join(bin, 'oauth-authorizer'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
    mode: 0o755,
  });
  await authorize('me@gmail.com', 'me@gmail.com');
  await authorize('work', 'me@example.com');
}, 120_000);

afterAll(async () => {
  await dovecot?.close();
  await sink?.close();
  await provider?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the README’s mail-client snippets, with real clients', () => {
  it('msmtp (Gmail snippet, STARTTLS on the submission port) sends a message', async () => {
    const config = snippet('account gmail')
      .replace('host smtp.gmail.com', 'host 127.0.0.1')
      .replace('port 587', `port ${dovecot.submissionPort}\ntls_trust_file ${certificateFile}`);
    expect(config).toContain('passwordeval "oauth-authorizer token me@gmail.com"');
    const file = join(scratch, 'msmtprc');
    writeFileSync(file, config, { mode: 0o600 });
    const sent = await run('msmtp', ['-C', file, '-a', 'gmail', 'you@example.test'], {
      input: 'Subject: from the README msmtp snippet\n\nbody\n',
    });
    expect(sent.status, sent.output).toBe(0);
    await sink.waitForMessages(1);
    expect(
      sink.messages.some((message) => message.raw.includes('Subject: from the README msmtp snippet')),
    ).toBe(true);
  });

  it('mbsync (Microsoft 365 snippet, isync 1.4 spelling SSLType IMAPS) syncs INBOX', async () => {
    // A message waiting in the account's INBOX on the server.
    const maildir = join(dovecot.directory, 'mail', 'example.com', 'me', 'Maildir');
    for (const sub of ['', 'new', 'cur', 'tmp']) {
      mkdirSync(join(maildir, sub), { recursive: true });
      chownSync(join(maildir, sub), 65534, 65534);
    }
    const message = join(maildir, 'new', '1.readme.test');
    writeFileSync(message, 'From: a@example.test\r\nSubject: waiting\r\n\r\nhello\r\n');
    chownSync(message, 65534, 65534);
    chmodSync(join(dovecot.directory, 'mail'), 0o755);

    const local = join(scratch, 'Mail');
    mkdirSync(local);
    const account = snippet('IMAPAccount work');
    expect(account).toContain('SSLType IMAPS');
    const config = `${account
      .replace('Host outlook.office365.com', 'Host 127.0.0.1')
      .replace('Port 993', `Port ${dovecot.imapsPort}`)}CertificateFile ${certificateFile}

IMAPStore work-remote
Account work

MaildirStore work-local
Path ${local}/
Inbox ${local}/INBOX

Channel work
Far :work-remote:
Near :work-local:
Patterns INBOX
Create Near
SyncState *
`;
    const file = join(scratch, 'mbsyncrc');
    writeFileSync(file, config, { mode: 0o600 });
    const synced = await run('mbsync', ['-c', file, '-a']);
    expect(synced.status, synced.output).toBe(0);
    const fetched = ['new', 'cur'].flatMap((sub) => readdirSync(join(local, 'INBOX', sub)));
    expect(fetched).toHaveLength(1);

    // The README's note on isync 1.5's spelling holds for the isync Debian ships: 1.4 rejects it.
    const newer = join(scratch, 'mbsyncrc-1.5');
    writeFileSync(newer, config.replace('SSLType IMAPS', 'TLSType IMAPS'), { mode: 0o600 });
    const refused = await run('mbsync', ['-c', newer, '-a']);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain("keyword 'TLSType' is not recognized");
  });

  it('neomutt (its snippet, sending in batch mode) sends a message', async () => {
    const config = `${snippet('set imap_user')}set smtp_url = "smtp://me%40gmail.com@127.0.0.1:${dovecot.submissionPort}/"
set from = "me@gmail.com"
set ssl_starttls = no
set ssl_force_tls = no
`;
    const neomuttHome = join(scratch, 'neomutt-home');
    mkdirSync(neomuttHome);
    const file = join(neomuttHome, 'neomuttrc');
    writeFileSync(file, config);
    const before = sink.messages.length;
    const sent = await run(
      'neomutt',
      ['-n', '-F', file, '-s', 'from the README neomutt snippet', 'you@example.test'],
      {
        input: 'body\n',
        env: { HOME: neomuttHome },
      },
    );
    expect(sent.status, sent.output).toBe(0);
    await sink.waitForMessages(before + 1);
    expect(sink.messages.some((message) => message.raw.includes('from the README neomutt snippet'))).toBe(
      true,
    );
  });
});
