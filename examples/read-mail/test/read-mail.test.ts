import type { TokenSet } from '@oauth-authorizer/core';
import {
  type ExampleRun,
  leakedTokens,
  startMailDovecot,
  useExample,
  withImapSession,
} from '@oauth-authorizer/example-support/testing';
import { describe, expect, it } from 'vitest';

const example = useExample(import.meta.url, {
  counterparts: { dovecot: startMailDovecot },
  mail: ({ dovecot }) => ({
    imap: { host: dovecot.host, port: dovecot.imapPort, tls: 'none' },
    sasl: 'OAUTHBEARER',
  }),
});
const { environment, refreshRequests, revokeAccessTokenOnly, runExample, seedAccount, storedTokens } =
  example;

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
  await withImapSession(example.dovecot, login, tokens, async (client) => {
    for (const raw of raws) await client.append('INBOX', raw);
  });
}

/** Whether any INBOX message of the account carries \Seen. */
function anySeen(login: string, tokens: TokenSet): Promise<boolean> {
  return withImapSession(example.dovecot, login, tokens, async (client) => {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const flags: string[] = [];
      for await (const fetched of client.fetch('1:*', { flags: true })) flags.push(...(fetched.flags ?? []));
      return flags.includes('\\Seen');
    } finally {
      lock.release();
    }
  });
}

const columns = (run: ExampleRun) =>
  run.stdout
    .split('\n')
    .filter(Boolean)
    .map((row) => row.split('\t'));

describe('read-mail', () => {
  it('lists the newest COUNT messages newest first, without marking them read, and logs out', async () => {
    const login = 'reader@example.test';
    const seeded = await seedAccount(login);
    const cologne = `=?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=`;
    await deliver(login, seeded, [
      message('Alice <alice@example.test>', 'Minutes of Monday', 1),
      message('bob@example.test', 'Lunch?', 2),
      message('Carol <carol@example.test>', 'Invoice 42', 3),
      message('Dora <dora@example.test>', cologne, 4),
    ]);

    const run = await runExample(environment(login, { COUNT: '3' }));

    expect(run.stderr).toContain('read-mail: the newest 3 of 4 messages in INBOX');
    expect(run.status).toBe(0);
    expect(columns(run)).toEqual([
      ['4', '2025-01-15T09:04:00Z', 'Dora <dora@example.test>', 'Grüße aus Köln'],
      ['3', '2025-01-15T09:03:00Z', 'Carol <carol@example.test>', 'Invoice 42'],
      ['2', '2025-01-15T09:02:00Z', 'bob@example.test', 'Lunch?'],
    ]);
    expect(await anySeen(login, seeded)).toBe(false);
    expect(example.dovecot.log()).toMatch(new RegExp(`imap\\(${login}\\)[^\\n]*Logged out`));
    expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
  });

  it('says the mailbox is empty and exits 0', async () => {
    const login = 'empty@example.test';
    await seedAccount(login);

    const run = await runExample(environment(login));

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('read-mail: INBOX is empty');
  });

  it('replaces a token Dovecot rejects with one forced refresh and lists the mailbox on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(login);
    await deliver(login, seeded, [message('alice@example.test', 'Still there', 5)]);
    await revokeAccessTokenOnly(seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login));

    expect(run.status).toBe(0);
    expect(columns(run).map((row) => row[3])).toEqual(['Still there']);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr.match(/refreshed the access token/g)).toHaveLength(1);
    const stored = await storedTokens(login);
    expect(stored.refreshToken).not.toBe(seeded.refreshToken);
    expect(leakedTokens(run.stdout + run.stderr, [seeded, stored])).toEqual([]);
  });

  it('exits 1 with READ_MAIL_MAILBOX_UNAVAILABLE and the server reply for a mailbox that does not exist', async () => {
    const login = 'lost@example.test';
    await seedAccount(login);

    const run = await runExample(environment(login, { MAILBOX: 'Archive 2019' }));

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/read-mail: cannot open mailbox "Archive 2019": Mailbox doesn't exist/);
    expect(run.stderr).toContain('[READ_MAIL_MAILBOX_UNAVAILABLE]');
    expect(run.stderr).toContain('hint: check MAILBOX');
  });

  it('exits 2 with EXAMPLE_SETTING_INVALID when COUNT is not a positive whole number', async () => {
    const run = await runExample(environment('reader@example.test', { COUNT: '-5' }));

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'COUNT must be a whole number from 1 to 1000, got "-5" [EXAMPLE_SETTING_INVALID]',
    );
  });
});
