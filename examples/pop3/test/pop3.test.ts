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
  leakedTokens,
  revokeAccessTokenOnly,
  revokeGrant,
  runExample,
  seedAccount,
  storedTokens,
} from './example-home.js';

const main = builtProgram(import.meta.url);

let server: AuthorizationServer;
let dovecot: Dovecot;
/** Two homes whose preset files differ only in the SASL mechanism the preset names. */
const homes: Partial<Record<'XOAUTH2' | 'OAUTHBEARER', ExampleHome>> = {};

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
  for (const sasl of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    homes[sasl] = await createExampleHome(server, {
      pop3: { host: dovecot.host, port: dovecot.pop3Port, tls: 'none' },
      sasl,
    });
  }
});
afterAll(async () => {
  await dovecot?.close();
  await server?.close();
  for (const home of Object.values(homes)) await home.remove();
});

function home(sasl: 'XOAUTH2' | 'OAUTHBEARER' = 'XOAUTH2'): ExampleHome {
  const found = homes[sasl];
  if (!found) throw new Error('beforeAll did not create the homes');
  return found;
}

function environment(target: ExampleHome, login: string): Record<string, string> {
  return {
    OAUTH_AUTHORIZER_HOME: target.directory,
    ACCOUNT: login,
    PRESET: target.presetFile,
    CLIENT_ID: clients.native.clientId,
  };
}

/** Delivers messages to the account's INBOX over IMAP (imapflow directly), as arriving mail. */
async function deliver(login: string, tokens: TokenSet, subjects: string[]): Promise<number[]> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: login, accessToken: tokens.accessToken },
    logger: false,
  });
  await client.connect();
  const sizes: number[] = [];
  try {
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
  } finally {
    await client.logout();
  }
  return sizes;
}

/** Dovecot's log line for the end of the user's POP3 session (it counts RETR and DELE). */
function pop3Logout(login: string): string | undefined {
  return dovecot
    .log()
    .split('\n')
    .findLast((line) => line.includes(`pop3(${login})`) && line.includes('Logged out'));
}

const refreshRequests = () => server.countTokenRequests('refresh_token');

describe('pop3', () => {
  it.each(['XOAUTH2', 'OAUTHBEARER'] as const)(
    'logs in with the preset mechanism (%s), runs STAT, LIST, RETR of the newest message and QUIT, deleting nothing',
    async (sasl) => {
      const login = `maildrop-${sasl.toLowerCase()}@example.test`;
      const seeded = await seedAccount(home(sasl), server, login);
      const cologne = `=?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=`;
      const sizes = await deliver(login, seeded, ['First', 'Second', cologne]);

      const run = await runExample(main, home(sasl), environment(home(sasl), login));

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
      expect(dovecot.log()).toContain(`Login: user=<${login}>, method=${sasl}`);
      expect(pop3Logout(login)).toMatch(/retr=1\/\d+, del=0\/3/);
      expect(leakedTokens(run.stdout + run.stderr, [seeded])).toEqual([]);
    },
  );

  it('reports an empty maildrop and still ends the session with QUIT', async () => {
    const login = 'nothing@example.test';
    await seedAccount(home(), server, login);

    const run = await runExample(main, home(), environment(home(), login));

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('messages: 0 (0 octets)\n');
    expect(run.stderr).toBe('pop3: the maildrop is empty\n');
    expect(pop3Logout(login)).toMatch(/retr=0\/0, del=0\/0/);
  });

  it('replaces a token Dovecot rejects with one forced refresh and reads the maildrop on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(home(), server, login);
    await deliver(login, seeded, ['Kept']);
    await revokeAccessTokenOnly(server, seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home(), environment(home(), login));

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('newest #1 subject: Kept');
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr).toBe('pop3: refreshed the access token (the new tokens are stored)\n');
    expect(leakedTokens(run.stdout + run.stderr, [seeded, await storedTokens(home(), login)])).toEqual([]);
  });

  it('exits 3 with OAUTH_TOKEN_REJECTED and a re-authorize hint when the grant was revoked', async () => {
    const login = 'revoked@example.test';
    const seeded = await seedAccount(home(), server, login);
    await revokeGrant(server, seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home(), environment(home(), login));

    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[OAUTH_TOKEN_REJECTED]');
    expect(run.stderr).toContain(`hint: run: oauth-authorizer authorize ${login}`);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(leakedTokens(run.stderr, [seeded])).toEqual([]);
  });
});
