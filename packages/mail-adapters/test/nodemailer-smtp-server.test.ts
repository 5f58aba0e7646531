import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileTokenStore,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_TOKEN_REJECTED,
  refreshTokens,
} from '@oauth-authorizer/core';
import {
  createNodemailerAuth,
  createSmtpTransport,
  MailAuthenticationError,
} from '@oauth-authorizer/mail-adapters';
import {
  type AuthorizationServer,
  type SmtpServer,
  startAuthorizationServer,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWhileTokensExpire } from './bulk-send.js';
import {
  type Account,
  assertNoTokenIn,
  authorizeAccount,
  everyTokenInvalidated,
  invalidateAccessToken,
  revokeGrant,
  storedRefreshToken,
} from './fixtures.js';

/** Access token lifetime at the test server, in seconds: short, so a run of a few seconds outlives several. */
const LIFETIME = 5;

let server: AuthorizationServer;
let smtp: SmtpServer;
let outlookStyle: SmtpServer;
let storeDirectory: string;

beforeAll(async () => {
  storeDirectory = await mkdtemp(join(tmpdir(), 'oa-mail-store-'));
  server = await startAuthorizationServer({ accessTokenTtl: LIFETIME });
  const introspect = (token: string) => server.introspect(token);
  smtp = await startSmtpServer({ introspect });
  outlookStyle = await startSmtpServer({ introspect, challenge: false });
});
afterAll(async () => {
  await smtp?.close();
  await outlookStyle?.close();
  await server?.close();
  await rm(storeDirectory, { recursive: true, force: true });
});

const target = (sink: SmtpServer = smtp) => ({ host: sink.host, port: sink.port, tls: 'none' as const });

function attemptsOf(sink: SmtpServer, user: string) {
  return sink.authAttempts.filter((attempt) => attempt.username === user).map((attempt) => attempt.accepted);
}

async function sendOne(account: Account, sink: SmtpServer = smtp, subject = 'hello') {
  const transport = await createSmtpTransport(account.manager, { ...target(sink), user: account.user });
  try {
    return await transport.sendMail({ from: account.user, to: 'sink@example.test', subject, text: 'Hello.' });
  } finally {
    transport.close();
  }
}

describe('nodemailer through smtp-server (XOAUTH2 checked by introspection)', () => {
  it('delivers 200 messages over a pooled transport while tokens expire, refreshing close to the minimum', async () => {
    const store = new FileTokenStore({ directory: storeDirectory });
    const account = await authorizeAccount(server, 'bulk@example.test', { store });
    const result = await sendWhileTokensExpire(server, account, target(), {
      count: 200,
      spacing: 35,
      subject: (index) => `bulk ${index}`,
    });

    expect(result.failed).toEqual([]);
    expect(result.sent).toBe(200);
    const subjects = new Set(
      smtp.messages
        .filter((message) => message.user === account.user)
        .map((message) => /Subject: (.*)\r\n/.exec(message.raw)?.[1]),
    );
    expect(subjects.size).toBe(200);
    // The run outlived the first token, and refreshed no more than the tokens' lifetime requires.
    expect(result.elapsedSeconds).toBeGreaterThan(LIFETIME);
    expect(result.refreshes).toBeGreaterThanOrEqual(1);
    expect(result.refreshes).toBeLessThanOrEqual(result.elapsedSeconds / LIFETIME + 1);
    // Every connection logged in with a token that was valid: not one rejection.
    const attempts = attemptsOf(smtp, account.user);
    expect(attempts.length).toBeGreaterThanOrEqual(200 / 5);
    expect(attempts.every(Boolean)).toBe(true);
    // Each rotated refresh token reached the token file: the one on disk still refreshes (a lost
    // rotation would leave a used one there, and reusing it would be invalid_grant).
    const onDisk = await new FileTokenStore({ directory: storeDirectory }).get(account.user);
    expect(onDisk?.tokens?.refreshToken).toBe(await storedRefreshToken(account));
    await expect(refreshTokens(account.provider, onDisk!.tokens!.refreshToken!)).resolves.toBeDefined();
  });

  it('answers a token the server rejects although it looked valid with one forced refresh and one retry', async () => {
    const account = await authorizeAccount(server, 'smtp-invalidated@example.test');
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const info = await sendOne(account);

    expect(info.accepted).toEqual(['sink@example.test']);
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(attemptsOf(smtp, account.user)).toEqual([false, true]);
  });

  it('retries once with a new token when the server answers 535 without a challenge', async () => {
    const account = await authorizeAccount(server, 'smtp-no-challenge@example.test');
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const info = await sendOne(account, outlookStyle);

    expect(info.accepted).toEqual(['sink@example.test']);
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
    expect(attemptsOf(outlookStyle, account.user)).toEqual([false, true]);
  });

  it('verify() logs in with the same retry rule', async () => {
    const account = await authorizeAccount(server, 'smtp-verify@example.test');
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const transport = await createSmtpTransport(account.manager, { ...target(), user: account.user });
    try {
      await expect(transport.verify()).resolves.toBe(true);
    } finally {
      transport.close();
    }
    expect(attemptsOf(smtp, account.user)).toEqual([false, true]);
  });

  for (const [name, sink] of [
    ['with a challenge', () => smtp],
    ['without a challenge', () => outlookStyle],
  ] as const) {
    it(`throws MailAuthenticationError after one retry when the replacement is rejected too (${name})`, async () => {
      const account = await authorizeAccount(
        server,
        `smtp-twice-${sink() === smtp ? 'gmail' : 'outlook'}@example.test`,
      );
      const { source, first } = await everyTokenInvalidated(server, account);
      const refreshesBefore = server.countTokenRequests('refresh_token');
      const transport = await createSmtpTransport(source, { ...target(sink()), user: account.user });
      let error: unknown;
      try {
        await transport.sendMail({ from: account.user, to: 'sink@example.test', subject: 'no', text: 'No.' });
      } catch (caught) {
        error = caught;
      } finally {
        transport.close();
      }

      expect(error).toBeInstanceOf(MailAuthenticationError);
      const rejection = error as MailAuthenticationError;
      expect(rejection.code).toBe(OAUTH_TOKEN_REJECTED);
      expect(rejection.protocol).toBe('smtp');
      expect(rejection.retried).toBe(true);
      expect(rejection.serverReply).toMatch(/^535 /);
      assertNoTokenIn(rejection, account.user, [first, await account.manager.getAccessToken()]);
      expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
      expect(attemptsOf(sink(), account.user)).toEqual([false, false]);
    });
  }

  it('reports a revoked grant as a rejected token whose cause is the refused refresh, after one refresh attempt', async () => {
    const account = await authorizeAccount(server, 'smtp-grant@example.test');
    await account.manager.getAccessToken();
    await revokeGrant(account);
    const refreshesBefore = server.countTokenRequests('refresh_token');

    const error = await sendOne(account).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailAuthenticationError);
    expect((error as MailAuthenticationError).code).toBe(OAUTH_TOKEN_REJECTED);
    expect(((error as MailAuthenticationError).cause as { code?: string }).code).toBe(
      OAUTH_AUTHORIZATION_REQUIRED,
    );
    expect(server.countTokenRequests('refresh_token') - refreshesBefore).toBe(1);
  });

  it('createNodemailerAuth() plugs into a transport made by nodemailer itself', async () => {
    const account = await authorizeAccount(server, 'smtp-plain-nodemailer@example.test');
    await invalidateAccessToken(server, await account.manager.getAccessToken());
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
      auth: createNodemailerAuth(account.manager, { user: account.user }),
    });
    try {
      const info = await transport.sendMail({ from: account.user, to: 'sink@example.test', text: 'Hi.' });
      expect(info.accepted).toEqual(['sink@example.test']);
    } finally {
      transport.close();
    }
    expect(attemptsOf(smtp, account.user)).toEqual([false, true]);
  });
});
