import { OAUTH_AUTHORIZATION_REQUIRED, OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import {
  connectImapFlow,
  createImapConnector,
  MailAuthenticationError,
  type SaslMechanism,
} from '@oauth-authorizer/mail-adapters';
import {
  type AuthorizationServer,
  type Dovecot,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  assertNoTokenIn,
  authorizeAccount,
  dovecotAuthFailures,
  everyTokenInvalidated,
  invalidateAccessToken,
  revokeGrant,
  rfc5322Message,
  startDovecotFor,
} from './fixtures.js';

/** Access token lifetime at the test server, in seconds: short enough to wait out once. */
const LIFETIME = 3;

let server: AuthorizationServer;
let dovecot: Dovecot;
let xoauth2Only: Dovecot;

beforeAll(async () => {
  server = await startAuthorizationServer({ accessTokenTtl: LIFETIME });
  [dovecot, xoauth2Only] = await Promise.all([
    startDovecotFor(server, { tls: true }),
    startDovecotFor(server, { mechanisms: ['xoauth2'] }),
  ]);
});
afterAll(async () => {
  await Promise.all([dovecot?.close(), xoauth2Only?.close()]);
  await server?.close();
});

const plain = (account: Account, target: Dovecot = dovecot) => ({
  user: account.user,
  host: '127.0.0.1',
  port: target.imapPort,
  tls: 'none' as const,
});

async function loggedOut<T>(client: ImapFlow, run: (client: ImapFlow) => Promise<T>): Promise<T> {
  try {
    return await run(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe.each([
  ['OAUTHBEARER', () => dovecot],
  ['XOAUTH2', () => xoauth2Only],
] as Array<[SaslMechanism, () => Dovecot]>)('imapflow through Dovecot with %s', (mechanism, target) => {
  it('logs in, selects, appends and fetches', async () => {
    const account = await authorizeAccount(server, `imap-${mechanism.toLowerCase()}@example.test`);
    const raw = rfc5322Message(account.user, account.user, `IMAP over ${mechanism}`, 'Hello over IMAP.');
    const client = await connectImapFlow(account.manager, plain(account, target()));
    await loggedOut(client, async () => {
      const appended = await client.append('INBOX', raw, ['\\Seen']);
      expect(appended).toBeTruthy();
      const lock = await client.getMailboxLock('INBOX');
      try {
        expect(client.mailbox).toMatchObject({ path: 'INBOX', exists: 1 });
        const message = await client.fetchOne('1', { envelope: true, source: true });
        if (!message) throw new Error('message 1 was not found');
        expect(message.envelope?.subject).toBe(`IMAP over ${mechanism}`);
        expect(message.source?.toString('utf8')).toBe(raw);
      } finally {
        lock.release();
      }
    });
    expect(target().log()).toContain(`Login: user=<${account.user}>, method=${mechanism}`);
  });

  it('answers a token the server rejects although it looked valid with one forced refresh and one retry', async () => {
    const account = await authorizeAccount(
      server,
      `imap-invalidated-${mechanism.toLowerCase()}@example.test`,
    );
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const client = await connectImapFlow(account.manager, plain(account, target()));
    await loggedOut(client, async () => {
      expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 0 });
    });
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(dovecotAuthFailures(target(), account.user)).toBe(1);
  });

  it('stops after one retry and carries the server reply when the replacement is rejected too', async () => {
    const account = await authorizeAccount(server, `imap-twice-${mechanism.toLowerCase()}@example.test`);
    const { source, first } = await everyTokenInvalidated(server, account);
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const error = await connectImapFlow(source, plain(account, target())).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailAuthenticationError);
    const rejection = error as MailAuthenticationError;
    expect(rejection.code).toBe(OAUTH_TOKEN_REJECTED);
    expect(rejection.protocol).toBe('imap');
    expect(rejection.mechanism).toBe(mechanism);
    expect(rejection.retried).toBe(true);
    expect(rejection.serverReply).toMatch(/AUTHENTICATIONFAILED/);
    expect(rejection.challenge?.status).toBe(mechanism === 'XOAUTH2' ? '401' : 'invalid_token');
    assertNoTokenIn(rejection, account.user, [first, await account.manager.getAccessToken()]);
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(dovecotAuthFailures(target(), account.user)).toBe(2);
  });
});

describe('imapflow adapter', () => {
  it('reconnects after the token expired with a fresh token, without a rejection', async () => {
    const account = await authorizeAccount(server, 'imap-reconnect@example.test');
    const imap = createImapConnector(account.manager, plain(account));
    const firstToken = await account.manager.getAccessToken();
    await loggedOut(await imap.connect(), (client) => client.noop());

    // Wait until the server no longer takes the first token.
    while ((await server.introspect(firstToken)).active)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const refreshesBefore = server.countTokenRequests('refresh_token');

    await loggedOut(await imap.connect(), async (client) => {
      expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 0 });
    });
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(await account.manager.getAccessToken()).not.toBe(firstToken);
    expect(dovecotAuthFailures(dovecot, account.user)).toBe(0);
  });

  it('reports a revoked grant as a rejected token whose cause is the refused refresh', async () => {
    const account = await authorizeAccount(server, 'imap-grant@example.test');
    await account.manager.getAccessToken();
    await revokeGrant(account);
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const error = await connectImapFlow(account.manager, plain(account)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailAuthenticationError);
    expect((error as MailAuthenticationError).code).toBe(OAUTH_TOKEN_REJECTED);
    expect(((error as MailAuthenticationError).cause as { code?: string }).code).toBe(
      OAUTH_AUTHORIZATION_REQUIRED,
    );
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
  });

  it('connects over implicit TLS and over a mandatory STARTTLS', async () => {
    const account = await authorizeAccount(server, 'imap-tls@example.test');
    for (const [tls, port] of [
      ['implicit', dovecot.imapsPort!],
      ['starttls', dovecot.imapPort],
    ] as const) {
      const client = await connectImapFlow(account.manager, {
        user: account.user,
        host: '127.0.0.1',
        port,
        tls,
        tlsOptions: { ca: dovecot.certificate! },
      });
      await loggedOut(client, async () => {
        expect(client.secureConnection).toBe(true);
        await client.noop();
      });
    }
  });
});
