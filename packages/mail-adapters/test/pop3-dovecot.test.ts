import {
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_NETWORK_ERROR,
  OAUTH_TOKEN_REJECTED,
  refreshTokens,
} from '@oauth-authorizer/core';
import {
  connectImapFlow,
  connectPop3,
  MAIL_TLS_UNAVAILABLE,
  MailAuthenticationError,
  POP3_ERROR,
  Pop3Client,
  Pop3Error,
  type SaslMechanism,
} from '@oauth-authorizer/mail-adapters';
import {
  type AuthorizationServer,
  type Dovecot,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  assertNoTokenIn,
  authorizeAccount,
  invalidateAccessToken,
  revokeGrant,
  rfc5322Message,
  startDovecotFor,
  storedRefreshToken,
} from './fixtures.js';

let server: AuthorizationServer;
let dovecot: Dovecot;

beforeAll(async () => {
  server = await startAuthorizationServer();
  dovecot = await startDovecotFor(server, { tls: true });
});
afterAll(async () => {
  await dovecot?.close();
  await server?.close();
});

/** Puts a message into the account's INBOX over IMAP, as another mail client would. */
async function appendByImap(account: Account, raw: string): Promise<void> {
  const imap = await connectImapFlow(account.manager, {
    user: account.user,
    host: '127.0.0.1',
    port: dovecot.imapPort,
    tls: 'none',
  });
  try {
    await imap.append('INBOX', raw);
  } finally {
    await imap.logout();
  }
}

function plain(account: Account, mechanism?: SaslMechanism) {
  return {
    user: account.user,
    host: '127.0.0.1',
    port: dovecot.pop3Port,
    tls: 'none' as const,
    ...(mechanism && { mechanism }),
  };
}

async function sessions<T>(client: Pop3Client, run: (client: Pop3Client) => Promise<T>): Promise<T> {
  try {
    return await run(client);
  } finally {
    await client.quit().catch(() => client.close());
  }
}

// Dovecot answers a refused token as each mechanism's spec says: Google's JSON for XOAUTH2, RFC 7628's for OAUTHBEARER.
const CHALLENGES = {
  XOAUTH2: { status: '401', schemes: 'bearer', scope: 'mail' },
  OAUTHBEARER: { status: 'invalid_token' },
} as const;

describe.each(['XOAUTH2', 'OAUTHBEARER'] as const)('POP3 through Dovecot with %s', (mechanism) => {
  it('lists, retrieves, dot-unstuffs and deletes a message appended by IMAP', async () => {
    const account = await authorizeAccount(server, `pop-${mechanism.toLowerCase()}@example.test`);
    const body = ['First line.', '.A line that starts with a dot.', '..two dots', '.', 'Last line.'].join(
      '\r\n',
    );
    const raw = rfc5322Message(account.user, account.user, `POP3 over ${mechanism}`, body);
    await appendByImap(account, raw);
    await appendByImap(account, rfc5322Message(account.user, account.user, 'second', 'Second message.'));

    await sessions(await connectPop3(account.manager, plain(account, mechanism)), async (pop3) => {
      const status = await pop3.stat();
      expect(status.count).toBe(2);
      const sizes = await pop3.list();
      expect(sizes.map((entry) => entry.number)).toEqual([1, 2]);
      expect(status.size).toBe(sizes.reduce((sum, entry) => sum + entry.size, 0));
      expect(await pop3.list(1)).toEqual(sizes[0]);
      const uids = await pop3.uidl();
      expect(uids).toHaveLength(2);
      expect(await pop3.uidl(2)).toEqual(uids[1]);

      const message = await pop3.retrieveMessage(1);
      expect(message.length).toBe(sizes[0]!.size);
      const text = message.toString('utf8');
      expect(text).toContain(`Subject: POP3 over ${mechanism}\r\n`);
      expect(text).toContain(`\r\n${body}\r\n`);

      const chunks: Buffer[] = [];
      for await (const chunk of await pop3.retrieve(2)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toContain('Second message.');

      await pop3.delete(1);
      await pop3.reset();
      await pop3.noop();
      await pop3.delete(1);
    });

    await sessions(await connectPop3(account.manager, plain(account, mechanism)), async (pop3) => {
      expect((await pop3.stat()).count).toBe(1);
      const [remaining] = await pop3.uidl();
      expect(remaining?.number).toBe(1);
    });
  });

  it('answers a token the server rejects although it looked valid with one forced refresh and one retry', async () => {
    const account = await authorizeAccount(server, `pop-revoked-${mechanism.toLowerCase()}@example.test`);
    const token = await account.manager.getAccessToken();
    await invalidateAccessToken(server, token);
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const pop3 = await connectPop3(account.manager, plain(account, mechanism));
    await sessions(pop3, async () => {
      expect((await pop3.stat()).count).toBe(0);
    });
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(await account.manager.getAccessToken()).not.toBe(token);
    // The rotated refresh token is in the store: it refreshes (a stale one would be invalid_grant).
    await expect(refreshTokens(account.provider, await storedRefreshToken(account))).resolves.toBeDefined();
  });

  it('gives a typed error with the server challenge after exactly one refresh attempt when the grant is revoked', async () => {
    const account = await authorizeAccount(server, `pop-grant-${mechanism.toLowerCase()}@example.test`);
    await account.manager.getAccessToken();
    await revokeGrant(account);
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const error = await connectPop3(account.manager, plain(account, mechanism)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MailAuthenticationError);
    const rejection = error as MailAuthenticationError;
    expect(rejection.code).toBe(OAUTH_TOKEN_REJECTED);
    expect(rejection.protocol).toBe('pop3');
    expect(rejection.mechanism).toBe(mechanism);
    expect(rejection.challenge).toMatchObject(CHALLENGES[mechanism]);
    expect(rejection.serverReply).toMatch(/^-ERR \[AUTH\]/);
    expect((rejection.cause as { code?: string }).code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
  });

  it('stops after one retry when the server rejects the replacement token too', async () => {
    const account = await authorizeAccount(server, `pop-twice-${mechanism.toLowerCase()}@example.test`);
    const first = await account.manager.getAccessToken();
    await invalidateAccessToken(server, first);
    // Every token the manager gets from now on dies at once, as under an admin's revocation policy.
    const revoking: Promise<void>[] = [];
    account.manager.on('tokens', (tokens) => {
      revoking.push(invalidateAccessToken(server, tokens.accessToken));
    });
    const refreshesBefore = server.countTokenRequests('refresh_token');
    const stalling = account.manager.getAccessToken.bind(account.manager);
    // Revocation must land before the retry logs in: wait for it inside the source.
    const source = {
      async getAccessToken(options?: Parameters<typeof stalling>[0]) {
        const token = await stalling(options);
        await Promise.all(revoking);
        return token;
      },
    };

    const error = await connectPop3(source, plain(account, mechanism)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailAuthenticationError);
    const rejection = error as MailAuthenticationError;
    expect(rejection.code).toBe(OAUTH_TOKEN_REJECTED);
    expect(rejection.retried).toBe(true);
    expect(rejection.challenge).toMatchObject(CHALLENGES[mechanism]);
    expect(rejection.serverReply).toContain('-ERR');
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    assertNoTokenIn(rejection, account.user, [first, await account.manager.getAccessToken()]);
  });
});

describe('POP3 client against Dovecot', () => {
  it('picks OAUTHBEARER when the server lists it in CAPA', async () => {
    const probe = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.pop3Port, tls: 'none' });
    await sessions(probe, async () => {
      expect((await probe.capabilities()).get('SASL')).toEqual(['XOAUTH2', 'OAUTHBEARER']);
    });
    const account = await authorizeAccount(server, 'pop-auto@example.test');
    await sessions(await connectPop3(account.manager, plain(account)), (pop3) => pop3.noop());
    expect(dovecot.log()).toMatch(/Login: user=<pop-auto@example\.test>, method=OAUTHBEARER/);
  });

  it('throws Pop3Error with the server text for a message that does not exist', async () => {
    const account = await authorizeAccount(server, 'pop-missing@example.test');
    await sessions(await connectPop3(account.manager, plain(account)), async (pop3) => {
      const error = await pop3.retrieveMessage(42).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Pop3Error);
      expect((error as Pop3Error).code).toBe(POP3_ERROR);
      expect((error as Pop3Error).command).toBe('RETR');
      expect((error as Pop3Error).reply).toMatch(/no message 42/i);
      // The session survives a -ERR.
      await pop3.noop();
    });
  });

  it('logs in over implicit TLS with the server certificate trusted', async () => {
    const account = await authorizeAccount(server, 'pop-tls@example.test');
    const pop3 = await connectPop3(account.manager, {
      user: account.user,
      host: '127.0.0.1',
      port: dovecot.pop3sPort!,
      tls: 'implicit',
      tlsOptions: { ca: dovecot.certificate! },
    });
    await sessions(pop3, async () => {
      expect(pop3.tls).toBe('implicit');
      expect((await pop3.stat()).count).toBe(0);
    });
  });

  it('upgrades with STLS before it authenticates', async () => {
    const account = await authorizeAccount(server, 'pop-stls@example.test');
    const pop3 = await connectPop3(account.manager, {
      user: account.user,
      host: '127.0.0.1',
      port: dovecot.pop3Port,
      tls: 'starttls',
      tlsOptions: { ca: dovecot.certificate! },
    });
    await sessions(pop3, async () => {
      expect((await pop3.stat()).count).toBe(0);
    });
  });

  it('refuses a certificate it does not trust, before any token is sent', async () => {
    const account = await authorizeAccount(server, 'pop-untrusted@example.test');
    const error = await connectPop3(account.manager, {
      user: account.user,
      host: '127.0.0.1',
      port: dovecot.pop3Port,
      tls: 'starttls',
    }).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe(OAUTH_NETWORK_ERROR);
  });

  it('fails with MAIL_TLS_UNAVAILABLE when a server without TLS is asked for STLS', async () => {
    const plainDovecot = await startDovecotFor(server);
    try {
      const account = await authorizeAccount(server, 'pop-nostls@example.test');
      const error = await connectPop3(account.manager, {
        user: account.user,
        host: '127.0.0.1',
        port: plainDovecot.pop3Port,
        tls: 'starttls',
      }).catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).toBe(MAIL_TLS_UNAVAILABLE);
    } finally {
      await plainDovecot.close();
    }
  });
});
