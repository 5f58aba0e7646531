import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  clients,
  type Dovecot,
  type SmtpServer,
  startDovecot,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, startCli } from './cli-process.js';
import { startInTerminal } from './pseudo-terminal.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

const ACCOUNT = 'office-printer@example.test';
const PASSWORD = 'scan-to-mail 42';

let provider: TestProvider;
let sink: SmtpServer;
let dovecot: Dovecot;
let home: string;

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
  home = await provider.newHome();
  const authorized = await runCli(
    ['authorize', ACCOUNT, '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOGIN: ACCOUNT } },
  );
  expect(authorized.code, authorized.stderr).toBe(0);
});

afterAll(async () => {
  await dovecot?.close();
  await sink?.close();
  await provider?.close();
});

function sendWithSmtplib(port: number, password: string): Promise<string> {
  const program = `
import smtplib, sys
try:
    with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as smtp:
        smtp.login("printer", sys.argv[2])
        smtp.sendmail(sys.argv[3], ["sink@example.test"], "Subject: from the CLI proxy\\r\\n\\r\\nScanned.\\r\\n")
    print("sent")
except smtplib.SMTPResponseException as error:
    print(error.smtp_code)
`;
  return new Promise((resolve) => {
    execFile('python3', ['-c', program, String(port), password, ACCOUNT], (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`.trim()),
    );
  });
}

describe('oauth-authorizer proxy', () => {
  it('"proxy passwd" stores a scrypt hash (0600) for a user of an account, from stdin', async () => {
    const refused = await runCli(['proxy', 'passwd', 'printer'], { home, input: `${PASSWORD}\n` });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--account');

    const result = await runCli(['proxy', 'passwd', 'printer', '--account', ACCOUNT], {
      home,
      input: `${PASSWORD}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const file = join(home, 'proxy.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(JSON.parse(text).users.printer).toMatchObject({
      account: ACCOUNT,
      password: expect.stringMatching(/^scrypt\$N=32768,r=8,p=1\$/),
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('"proxy passwd" on a terminal asks twice without echoing, and refuses two different answers', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, { OAUTH_AUTHORIZER_HOME: home, NO_COLOR: '1', TERM: 'xterm' });
    const command = [process.execPath, BIN, 'proxy', 'passwd', 'scanner', '--account', ACCOUNT];
    const tty = startInTerminal(command, env);
    await tty.waitFor(/New password \(hidden\): $/);
    tty.type('typed in secret\r');
    await tty.waitFor(/Once more \(hidden\): $/);
    tty.type('typed in secret\r');
    expect(await tty.exited).toBe(0);
    expect(tty.transcript()).not.toContain('typed in secret');
    const users = JSON.parse(await readFile(join(home, 'proxy.json'), 'utf8')).users;
    expect(users.scanner).toMatchObject({ account: ACCOUNT, password: expect.stringMatching(/^scrypt\$/) });
    expect(users.printer).toBeDefined();

    const mismatch = startInTerminal(command, env);
    await mismatch.waitFor(/New password \(hidden\): $/);
    mismatch.type('one\r');
    await mismatch.waitFor(/Once more \(hidden\): $/);
    mismatch.type('two\r');
    expect(await mismatch.exited).toBe(2);
    expect(mismatch.transcript()).toContain('the two passwords differ');
  });

  it('relays mail from a password-only client, logs the session without secrets, and stops cleanly on SIGTERM', async () => {
    const file = join(home, 'proxy.json');
    const config = JSON.parse(await readFile(file, 'utf8'));
    const caFile = join(home, 'dovecot-ca.pem');
    await writeFile(caFile, dovecot.certificate as string);
    config.listeners = [
      {
        protocol: 'smtp',
        port: 0,
        upstream: { host: '127.0.0.1', port: dovecot.submissionPort, tls: 'starttls', ca: caFile },
      },
    ];
    config.limits = { authFailureDelay: 0.2, drainTimeout: 2 };
    await writeFile(file, JSON.stringify(config));

    const proxy = startCli(['proxy'], { home, timeout: 60_000 });
    const [, port] = await proxy.waitForStderr(/event=listening .*address=127\.0\.0\.1:(\d+)/);
    expect(await sendWithSmtplib(Number(port), 'wrong')).toBe('535');
    expect(await sendWithSmtplib(Number(port), PASSWORD)).toBe('sent');
    await sink.waitForMessages(1);
    expect(sink.messages.at(-1)?.raw).toContain('Subject: from the CLI proxy');
    await proxy.waitForStderr(/outcome=relayed/);
    proxy.child.kill('SIGTERM');
    const result = await proxy.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/outcome=refused/);
    expect(result.stderr).toMatch(/user=printer .*outcome=relayed .*bytes_in=\d+ bytes_out=\d+/);
    expect(result.stderr).toMatch(/event=stopped/);
    expect(result.stderr).not.toContain(PASSWORD);
    const shown = JSON.parse((await runCli(['show', ACCOUNT, '--json', '--reveal'], { home })).stdout) as {
      tokens: { access_token: string };
    };
    expect(result.stderr).not.toContain(shown.tokens.access_token);
  });

  it('refuses at start-up a non-loopback listener without TLS, naming the field (exit 2)', async () => {
    const file = join(home, 'insecure.json');
    const config = JSON.parse(await readFile(join(home, 'proxy.json'), 'utf8'));
    config.listeners = [
      {
        protocol: 'imap',
        host: '0.0.0.0',
        port: 0,
        upstream: { host: 'imap.example.com', port: 993, tls: 'implicit' },
      },
    ];
    await writeFile(file, JSON.stringify(config));
    const result = await runCli(['proxy', '--config', file], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"listeners[0].tls"');
    expect(result.stderr).toContain('0.0.0.0');
  });
});
