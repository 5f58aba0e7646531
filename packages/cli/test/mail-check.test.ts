import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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
import { runCli } from './cli-process.js';
import { MAIL_SCOPES, startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;
let sink: SmtpServer;
let dovecot: Dovecot;
let directory: string;
let presetFile: string;
let caFile: string;

interface CheckJson {
  account: string;
  user: string;
  results: {
    protocol: string;
    host: string;
    port: number;
    tls: string;
    outcome: string;
    detail: string | null;
    server_reply: string | null;
    code: string | null;
  }[];
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
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-check-'));
  caFile = join(directory, 'ca.pem');
  await writeFile(caFile, dovecot.certificate as string);
  presetFile = join(directory, 'dovecot-preset.json');
  await writeFile(
    presetFile,
    JSON.stringify({
      id: 'test-dovecot',
      name: 'Test Dovecot',
      authorizationUrl: provider.server.endpoints.authorization,
      tokenUrl: provider.server.endpoints.token,
      revocationUrl: provider.server.endpoints.revocation,
      scopes: MAIL_SCOPES,
      flows: ['code'],
      mail: {
        imap: { host: '127.0.0.1', port: dovecot.imapsPort, tls: 'implicit' },
        pop3: { host: '127.0.0.1', port: dovecot.pop3sPort, tls: 'implicit' },
        smtp: { host: '127.0.0.1', port: dovecot.submissionPort, tls: 'starttls' },
        sasl: 'XOAUTH2',
      },
    }),
  );
}, 120_000);

afterAll(async () => {
  await dovecot?.close();
  await sink?.close();
  await provider?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function authorized(
  account: string,
): Promise<{ home: string; refreshToken: string; accessToken: string }> {
  const home = await provider.newHome();
  const result = await runCli(
    ['authorize', account, '--preset', presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOGIN: account } },
  );
  expect(result.code, result.stderr).toBe(0);
  const tokens = JSON.parse(result.stdout) as { refresh_token: string; access_token: string };
  return { home, refreshToken: tokens.refresh_token, accessToken: tokens.access_token };
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const logins = (method = 'XOAUTH2|OAUTHBEARER') =>
  (dovecot.log().match(new RegExp(`Login: user=<[^>]+>, method=(${method})`, 'g')) ?? []).length;

describe('check logs in to IMAP, POP3 and SMTP with the token', () => {
  it('a good token: OK for IMAPS, POP3S and submission with STARTTLS (the preset servers), exit 0', async () => {
    const { home, accessToken, refreshToken } = await authorized('olga@example.test');
    const before = logins();
    const result = await runCli(['check', 'olga@example.test', '--ca', caFile], { home });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        `IMAP 127.0.0.1:${dovecot.imapsPort} (TLS): OK`,
        `POP3 127.0.0.1:${dovecot.pop3sPort} (TLS): OK`,
        `SMTP 127.0.0.1:${dovecot.submissionPort} (STARTTLS): OK`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toMatch(/^Token: valid, expires /);
    // Real logins at Dovecot: IMAP, POP3 and submission.
    expect(logins()).toBe(before + 3);
    for (const secret of [accessToken, refreshToken])
      expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('STARTTLS on the plain IMAP and POP3 ports, with NODE_EXTRA_CA_CERTS instead of --ca', async () => {
    const { home } = await authorized('pia@example.test');
    const result = await runCli(
      [
        'check',
        'pia@example.test',
        '--imap',
        `127.0.0.1:${dovecot.imapPort}:starttls`,
        '--pop3',
        `127.0.0.1:${dovecot.pop3Port}:starttls`,
        '--json',
      ],
      { home, env: { NODE_EXTRA_CA_CERTS: caFile } },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.results.map((r) => [r.protocol, r.port, r.tls, r.outcome])).toEqual([
      ['imap', dovecot.imapPort, 'starttls', 'ok'],
      ['pop3', dovecot.pop3Port, 'starttls', 'ok'],
      ['smtp', dovecot.submissionPort, 'starttls', 'ok'],
    ]);
  });

  it("an untrusted certificate and a server that is down are 'unreachable': exit 4", async () => {
    const { home } = await authorized('quinn@example.test');
    const untrusted = await runCli(['check', 'quinn@example.test', '--json'], { home });
    expect(untrusted.code).toBe(4);
    const json = JSON.parse(untrusted.stdout) as CheckJson;
    for (const row of json.results) {
      expect(row.outcome).toBe('unreachable');
      expect(row.detail).toMatch(/certificate is not trusted/);
    }
    const port = await closedPort();
    const down = await runCli(
      ['check', 'quinn@example.test', '--ca', caFile, '--imap', `127.0.0.1:${port}`],
      { home },
    );
    expect(down.code).toBe(4);
    expect(down.stdout).toContain(`IMAP 127.0.0.1:${port} (STARTTLS): UNREACHABLE cannot reach the server`);
    expect(down.stdout).toContain(`POP3 127.0.0.1:${dovecot.pop3sPort} (TLS): OK`);
  });

  it('a revoked grant: the server rejects the token, the refresh is rejected too: exit 3, and status says so', async () => {
    const { home, refreshToken } = await authorized('rosa@example.test');
    const revoked = await fetch(provider.server.endpoints.revocation, {
      method: 'POST',
      body: new URLSearchParams({ token: refreshToken, client_id: clients.native.clientId }),
    });
    expect(revoked.status).toBe(200);
    const result = await runCli(['check', 'rosa@example.test', '--ca', caFile, '--json'], { home });
    expect(result.code, result.stderr).toBe(3);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.results[0]).toMatchObject({
      protocol: 'imap',
      outcome: 'rejected',
      code: 'OAUTH_AUTHORIZATION_REQUIRED',
    });
    for (const row of json.results) expect(row.outcome).toBe('rejected');
    expect(result.stdout).not.toContain(refreshToken);
    expect((await runCli(['status', 'rosa@example.test'], { home })).code).toBe(3);
  });

  it('a token the server refuses for another user is rejected with the server reply: exit 3', async () => {
    const { home } = await authorized('sam@example.test');
    const result = await runCli(
      [
        'check',
        'sam@example.test',
        '--ca',
        caFile,
        '--user',
        'someone-else@example.test',
        '--pop3',
        `127.0.0.1:${dovecot.pop3sPort}:implicit`,
      ],
      { home },
    );
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(
      /POP3 127\.0\.0\.1:\d+ \(TLS\): REJECTED the server rejected the token: -ERR/,
    );
  });

  it("a rejected IMAP login is explained from the providers' error table (why and fix)", async () => {
    const { home } = await authorized('tia@example.test');
    const result = await runCli(
      [
        'check',
        'tia@example.test',
        '--ca',
        caFile,
        '--user',
        'someone-else@example.test',
        '--imap',
        `127.0.0.1:${dovecot.imapsPort}:implicit`,
      ],
      { home },
    );
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(/IMAP 127\.0\.0\.1:\d+ \(TLS\): REJECTED .*AUTHENTICATIONFAILED/);
    expect(result.stdout).toContain('why: The IMAP server refused the token');
    expect(result.stdout).toContain('(see https://www.rfc-editor.org/rfc/rfc5530#section-3)');
    const json = await runCli(
      [
        'check',
        'tia@example.test',
        '--json',
        '--ca',
        caFile,
        '--user',
        'someone-else@example.test',
        '--imap',
        `127.0.0.1:${dovecot.imapsPort}:implicit`,
      ],
      { home },
    );
    const [imap] = (JSON.parse(json.stdout) as { results: { explanation: { code: string } | null }[] })
      .results;
    expect(imap?.explanation?.code).toBe('[AUTHENTICATIONFAILED]');
  });

  it('no mail servers is a usage error; an unknown account exit 3', async () => {
    const home = await provider.newHome();
    const plain = await runCli(
      [
        'authorize',
        'tia@example.test',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
      ],
      { home, env: { TEST_BROWSER_LOGIN: 'tia@example.test' } },
    );
    expect(plain.code, plain.stderr).toBe(0);
    const none = await runCli(['check', 'tia@example.test'], { home });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("check: the account's preset names no mail servers");
    expect((await runCli(['check', 'nobody'], { home })).code).toBe(3);
  });
});
