import { refreshTokens } from '@oauth-authorizer/core';
import { createSmtpTransport } from '@oauth-authorizer/mail-adapters';
import {
  type AuthorizationServer,
  type Dovecot,
  type SmtpServer,
  startAuthorizationServer,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWhileTokensExpire } from './bulk-send.js';
import {
  authorizeAccount,
  dovecotAuthFailures,
  invalidateAccessToken,
  startDovecotFor,
  storedRefreshToken,
} from './fixtures.js';

/** Access token lifetime at the test server, in seconds. */
const LIFETIME = 5;

let server: AuthorizationServer;
let relaySink: SmtpServer;
let dovecot: Dovecot;

beforeAll(async () => {
  server = await startAuthorizationServer({ accessTokenTtl: LIFETIME });
  relaySink = await startSmtpServer();
  dovecot = await startDovecotFor(server, { smtpRelayPort: relaySink.port });
});
afterAll(async () => {
  await dovecot?.close();
  await relaySink?.close();
  await server?.close();
});

const target = () => ({ host: '127.0.0.1', port: dovecot.submissionPort!, tls: 'none' as const });

describe("nodemailer through Dovecot's submission service", () => {
  it('delivers 200 messages over a pooled transport while tokens expire, refreshing close to the minimum', async () => {
    const account = await authorizeAccount(server, 'submission-bulk@example.test');
    const result = await sendWhileTokensExpire(server, account, target(), {
      count: 200,
      spacing: 35,
      subject: (index) => `submission ${index}`,
    });

    expect(result.failed).toEqual([]);
    expect(result.sent).toBe(200);
    await relaySink.waitForMessages(200);
    const subjects = new Set(
      relaySink.messages.map((message) => /Subject: (submission \d+)\r\n/.exec(message.raw)?.[1]),
    );
    subjects.delete(undefined);
    expect(subjects.size).toBe(200);
    expect(result.elapsedSeconds).toBeGreaterThan(LIFETIME);
    expect(result.refreshes).toBeGreaterThanOrEqual(1);
    expect(result.refreshes).toBeLessThanOrEqual(result.elapsedSeconds / LIFETIME + 1);
    expect(dovecotAuthFailures(dovecot, account.user)).toBe(0);
    await expect(refreshTokens(account.provider, await storedRefreshToken(account))).resolves.toBeDefined();
  });

  it('answers a token the server rejects although it looked valid with one forced refresh and one retry', async () => {
    const account = await authorizeAccount(server, 'submission-invalidated@example.test');
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const refreshesBefore = server.countTokenRequests('refresh_token');
    const transport = await createSmtpTransport(account.manager, { ...target(), user: account.user });
    try {
      const info = await transport.sendMail({
        from: account.user,
        to: 'sink@example.test',
        subject: 'after a rejection',
        text: 'Hello.',
      });
      expect(info.accepted).toEqual(['sink@example.test']);
    } finally {
      transport.close();
    }
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(dovecotAuthFailures(dovecot, account.user)).toBe(1);
  });
});
