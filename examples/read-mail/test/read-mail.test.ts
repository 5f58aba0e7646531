import type { TokenSet } from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  clients,
  type Dovecot,
  startAuthorizationServer,
  startDovecot,
} from '@oauth-authorizer/test-servers';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtProgram,
  createExampleHome,
  type ExampleHome,
  type ExampleRun,
  leakedTokens,
  revokeAccessTokenOnly,
  runExample,
  seedAccount,
  storedTokens,
} from './example-home.js';

const main = builtProgram(import.meta.url);

let server: AuthorizationServer;
let dovecot: Dovecot;
let home: ExampleHome;

beforeAll(async () => {
  server = await startAuthorizationServer();
  const rs = clients.resourceServer;
  dovecot = await startDovecot({
    introspection: {
      url: server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
  });
  home = await createExampleHome(server, {
    imap: { host: dovecot.host, port: dovecot.imapPort, tls: 'none' },
    sasl: 'OAUTHBEARER',
  });
});
afterAll(async () => {
  await dovecot?.close();
  await server?.close();
  await home?.remove();
});

function environment(login: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OAUTH_AUTHORIZER_HOME: home.directory,
    ACCOUNT: login,
    PRESET: home.presetFile,
    CLIENT_ID: clients.native.clientId,
    ...extra,
  };
}

/** A message in RFC 5322 form (CRLF line ends), dated `minute` minutes after a fixed instant. */
function message(from: string, subject: string, minute: number): string {
  const date = new Date(Date.UTC(2025, 0, 15, 9, minute));
  return [
    `From: ${from}`,
    'To: reader@example.test',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${minute}.${Date.now()}@example.test>`,
    '',
    'Hello.',
    '',
  ].join('\r\n');
}

/** Appends messages to the account's INBOX with imapflow directly, as other senders' mail arrives. */
async function deliver(login: string, tokens: TokenSet, raws: string[]): Promise<void> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: login, accessToken: tokens.accessToken },
    logger: false,
  });
  await client.connect();
  try {
    for (const raw of raws) await client.append('INBOX', raw);
  } finally {
    await client.logout();
  }
}

/** Whether any INBOX message of the account carries \Seen. */
async function anySeen(login: string, tokens: TokenSet): Promise<boolean> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: login, accessToken: tokens.accessToken },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const flags: string[] = [];
      for await (const fetched of client.fetch('1:*', { flags: true })) flags.push(...(fetched.flags ?? []));
      return flags.includes('\\Seen');
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

const refreshRequests = () => server.countTokenRequests('refresh_token');
const columns = (run: ExampleRun) =>
  run.stdout
    .split('\n')
    .filter(Boolean)
    .map((row) => row.split('\t'));

describe('read-mail', () => {
  it('lists the newest COUNT messages newest first, without marking them read, and logs out', async () => {
    const login = 'reader@example.test';
    const seeded = await seedAccount(home, server, login);
    const cologne = `=?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=`;
    await deliver(login, seeded, [
      message('Alice <alice@example.test>', 'Minutes of Monday', 1),
      message('bob@example.test', 'Lunch?', 2),
      message('Carol <carol@example.test>', 'Invoice 42', 3),
      message('Dora <dora@example.test>', cologne, 4),
    ]);

    const run = await runExample(main, home, environment(login, { COUNT: '3' }));

    expect(run.stderr).toContain('read-mail: the newest 3 of 4 messages in INBOX');
    expect(run.status).toBe(0);
    expect(columns(run)).toEqual([
      ['4', '2025-01-15T09:04:00Z', 'Dora <dora@example.test>', 'Grüße aus Köln'],
      ['3', '2025-01-15T09:03:00Z', 'Carol <carol@example.test>', 'Invoice 42'],
      ['2', '2025-01-15T09:02:00Z', 'bob@example.test', 'Lunch?'],
    ]);
    expect(await anySeen(login, seeded)).toBe(false);
    expect(dovecot.log()).toMatch(new RegExp(`imap\\(${login}\\)[^\\n]*Logged out`));
    expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
  });

  it('says the mailbox is empty and exits 0', async () => {
    const login = 'empty@example.test';
    await seedAccount(home, server, login);

    const run = await runExample(main, home, environment(login));

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('read-mail: INBOX is empty');
  });

  it('replaces a token Dovecot rejects with one forced refresh and lists the mailbox on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(home, server, login);
    await deliver(login, seeded, [message('alice@example.test', 'Still there', 5)]);
    await revokeAccessTokenOnly(server, seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login));

    expect(run.status).toBe(0);
    expect(columns(run).map((row) => row[3])).toEqual(['Still there']);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr.match(/refreshed the access token/g)).toHaveLength(1);
    const stored = await storedTokens(home, login);
    expect(stored.refreshToken).not.toBe(seeded.refreshToken);
    expect(leakedTokens(run.stdout + run.stderr, [seeded, stored])).toEqual([]);
  });

  it('exits 1 with READ_MAIL_MAILBOX_UNAVAILABLE and the server reply for a mailbox that does not exist', async () => {
    const login = 'lost@example.test';
    await seedAccount(home, server, login);

    const run = await runExample(main, home, environment(login, { MAILBOX: 'Archive 2019' }));

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/read-mail: cannot open mailbox "Archive 2019": Mailbox doesn't exist/);
    expect(run.stderr).toContain('[READ_MAIL_MAILBOX_UNAVAILABLE]');
    expect(run.stderr).toContain('hint: check MAILBOX');
  });

  it('exits 2 with EXAMPLE_SETTING_INVALID when COUNT is not a positive whole number', async () => {
    const run = await runExample(main, home, environment('reader@example.test', { COUNT: '-5' }));

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'COUNT must be a whole number from 1 to 1000, got "-5" [EXAMPLE_SETTING_INVALID]',
    );
  });
});
