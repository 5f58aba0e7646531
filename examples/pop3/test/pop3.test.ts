import type { TokenSet } from '@oauth-authorizer/core';
import {
  type ExampleHome,
  leakedTokens,
  startMailDovecot,
  useExample,
  withImapSession,
} from '@oauth-authorizer/example-support/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const example = useExample(import.meta.url, { counterparts: { dovecot: startMailDovecot } });
const { refreshRequests, revokeAccessTokenOnly, revokeGrant, runExample, seedAccount, storedTokens } =
  example;

/** Two homes whose preset files differ only in the SASL mechanism the preset names. */
const homes: Partial<Record<'XOAUTH2' | 'OAUTHBEARER', ExampleHome>> = {};

beforeAll(async () => {
  const { dovecot } = example;
  for (const sasl of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    homes[sasl] = await example.newHome({
      pop3: { host: dovecot.host, port: dovecot.pop3Port, tls: 'none' },
      sasl,
    });
  }
});

function home(sasl: 'XOAUTH2' | 'OAUTHBEARER' = 'XOAUTH2'): ExampleHome {
  const found = homes[sasl];
  if (!found) throw new Error('beforeAll did not create the homes');
  return found;
}

const environment = (target: ExampleHome, login: string) => example.environment(login, {}, target);

/** Delivers messages to the account's INBOX over IMAP (imapflow directly), as arriving mail. */
async function deliver(login: string, tokens: TokenSet, subjects: string[]): Promise<number[]> {
  return withImapSession(example.dovecot, login, tokens, async (client) => {
    const sizes: number[] = [];
    for (const [index, subject] of subjects.entries()) {
      const raw = [
        'From: Alice <alice@example.test>',
        `To: ${login}`,
        `Subject: ${subject}`,
        `Message-ID: <${index}.${Date.now()}@example.test>`,
        '',
        `Message ${index + 1}.`,
        '.a line that POP3 dot-stuffs',
        '',
      ].join('\r\n');
      await client.append('INBOX', raw);
      sizes.push(Buffer.byteLength(raw));
    }
    return sizes;
  });
}

/** Dovecot's log line for the end of the user's POP3 session (it counts RETR and DELE). */
function pop3Logout(login: string): string | undefined {
  return example.dovecot
    .log()
    .split('\n')
    .findLast((line) => line.includes(`pop3(${login})`) && line.includes('Logged out'));
}

describe('pop3', () => {
  it.each(['XOAUTH2', 'OAUTHBEARER'] as const)(
    'logs in with the preset mechanism (%s), runs STAT, LIST, RETR of the newest message and QUIT, deleting nothing',
    async (sasl) => {
      const login = `maildrop-${sasl.toLowerCase()}@example.test`;
      const seeded = await seedAccount(login, { home: home(sasl) });
      const cologne = `=?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=`;
      const sizes = await deliver(login, seeded, ['First', 'Second', cologne]);

      const run = await runExample(environment(home(sasl), login), home(sasl));

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const total = sizes.reduce((sum, size) => sum + size, 0);
      expect(run.stdout.split('\n')).toEqual([
        `messages: 3 (${total} octets)`,
        `#1\t${sizes[0]} octets`,
        `#2\t${sizes[1]} octets`,
        `#3\t${sizes[2]} octets`,
        'newest #3 subject: Grüße aus Köln',
        '',
      ]);
      expect(example.dovecot.log()).toContain(`Login: user=<${login}>, method=${sasl}`);
      expect(pop3Logout(login)).toMatch(/retr=1\/\d+, del=0\/3/);
      expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
    },
  );

  it('reports an empty maildrop and still ends the session with QUIT', async () => {
    const login = 'nothing@example.test';
    await seedAccount(login, { home: home() });

    const run = await runExample(environment(home(), login), home());

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('messages: 0 (0 octets)\n');
    expect(run.stderr).toBe('pop3: the maildrop is empty\n');
    expect(pop3Logout(login)).toMatch(/retr=0\/0, del=0\/0/);
  });

  it('replaces a token Dovecot rejects with one forced refresh and reads the maildrop on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(login, { home: home() });
    await deliver(login, seeded, ['Kept']);
    await revokeAccessTokenOnly(seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(home(), login), home());

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('newest #1 subject: Kept');
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr).toBe('pop3: refreshed the access token (the new tokens are stored)\n');
    expect(leakedTokens(run.stdout + run.stderr, [seeded, await storedTokens(login, home())])).toEqual([]);
  });

  it('exits 3 with OAUTH_TOKEN_REJECTED and a re-authorize hint when the grant was revoked', async () => {
    const login = 'revoked@example.test';
    const seeded = await seedAccount(login, { home: home() });
    await revokeGrant(seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(home(), login), home());

    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[OAUTH_TOKEN_REJECTED]');
    expect(run.stderr).toContain(`hint: run: oauth-authorizer authorize ${login}`);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(leakedTokens(run.stderr, [seeded])).toEqual([]);
  });
});
