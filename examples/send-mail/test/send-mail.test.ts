import { dirname, relative } from 'node:path';
import type { TokenSet } from '@oauth-authorizer/core';
import {
  authorizeWithCli,
  type ExampleRun,
  leakedTokens,
  useExample,
} from '@oauth-authorizer/example-support/testing';
import { clients, startSmtpServer } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';

const RECIPIENT = 'friend@example.test';

const example = useExample(import.meta.url, {
  counterparts: {
    smtp: (server) => startSmtpServer({ introspect: (token) => server.introspect(token) }),
  },
  mail: ({ smtp }) => ({ smtp: { host: smtp.host, port: smtp.port, tls: 'none' }, sasl: 'XOAUTH2' }),
});
const { main, refreshRequests, revokeAccessTokenOnly, revokeGrant, runExample, seedAccount, storedTokens } =
  example;

/** The environment of a user who names everything: home, account, preset file, client, recipient. */
const environment = (login: string, extra: Record<string, string> = {}) =>
  example.environment(login, { MAIL_TO: RECIPIENT, ...extra });

const authAttemptsOf = (login: string) =>
  example.smtp.authAttempts.filter((attempt) => attempt.username === login);
const messagesOf = (login: string) => example.smtp.messages.filter((message) => message.user === login);

function expectNoTokens(run: ExampleRun, sets: readonly TokenSet[]): void {
  expect(leakedTokens(run.stdout + run.stderr, sets)).toEqual([]);
}

describe('send-mail', () => {
  it('sends one message as the account and prints its Message-ID on stdout', async () => {
    const login = 'sender@example.test';
    const seeded = await seedAccount(login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login, { MAIL_SUBJECT: 'Quarterly report' }));

    expect(run.stderr).toContain(`send-mail: sent as ${login} to ${RECIPIENT}`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^<[^<>\s]+@[^<>\s]+>\n$/);
    const [message, ...others] = messagesOf(login);
    expect(others).toEqual([]);
    expect(message?.to).toEqual([RECIPIENT]);
    expect(message?.from).toBe(login);
    expect(message?.raw).toContain(`Message-ID: ${run.stdout.trim()}`);
    expect(message?.raw).toContain('Subject: Quarterly report');
    expect(refreshRequests()).toBe(refreshesBefore);
    expectNoTokens(run, [seeded]);
  });

  it('refreshes an expired access token before sending and stores the rotated refresh token', async () => {
    const login = 'expired@example.test';
    const seeded = await seedAccount(login, { expired: true });
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login));

    expect(run.status).toBe(0);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr.match(/refreshed the access token/g)).toHaveLength(1);
    expect(authAttemptsOf(login).map((attempt) => attempt.accepted)).toEqual([true]);
    expect(messagesOf(login)).toHaveLength(1);
    const stored = await storedTokens(login);
    expect(stored.refreshToken).not.toBe(seeded.refreshToken);
    expect((await example.server.introspect(stored.refreshToken ?? '')).active).toBe(true);
    expectNoTokens(run, [seeded, stored]);
  });

  it('replaces a token the server rejects with one forced refresh and sends on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(login);
    await revokeAccessTokenOnly(seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login));

    expect(run.status).toBe(0);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(authAttemptsOf(login).map((attempt) => [attempt.accepted, attempt.reason])).toEqual([
      [false, 'inactive'],
      [true, undefined],
    ]);
    expect(messagesOf(login)).toHaveLength(1);
    expectNoTokens(run, [seeded, await storedTokens(login)]);
  });

  it('exits 3 with OAUTH_TOKEN_REJECTED and a re-authorize hint when the grant was revoked', async () => {
    const login = 'revoked@example.test';
    const seeded = await seedAccount(login);
    await revokeGrant(seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(environment(login));

    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[OAUTH_TOKEN_REJECTED]');
    expect(run.stderr).toContain(`hint: run: oauth-authorizer authorize ${login}`);
    // One rejected login, one refused refresh, and no second login with a token known to be dead.
    expect(authAttemptsOf(login).map((attempt) => attempt.accepted)).toEqual([false]);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(messagesOf(login)).toEqual([]);
    expectNoTokens(run, [seeded]);
  });

  it('uses the preset and client ID the CLI saved, so ACCOUNT and MAIL_TO are enough', async () => {
    const login = 'cli-user@example.test';
    expect(
      await authorizeWithCli(example.home.directory, login, [
        '--preset',
        example.home.presetFile,
        '--client-id',
        clients.native.clientId,
      ]),
    ).toBe(0);

    const run = await runExample({
      OAUTH_AUTHORIZER_HOME: example.home.directory,
      ACCOUNT: login,
      MAIL_TO: RECIPIENT,
    });

    expect(run.stderr).toContain(`sent as ${login}`);
    expect(run.status).toBe(0);
    expect(messagesOf(login)).toHaveLength(1);

    // The saved preset named by a relative path is the same preset: its saved client ID still applies.
    const again = await runExample({
      OAUTH_AUTHORIZER_HOME: example.home.directory,
      ACCOUNT: login,
      MAIL_TO: RECIPIENT,
      PRESET: relative(dirname(dirname(main)), example.home.presetFile),
    });

    expect(again.status).toBe(0);
    expect(messagesOf(login)).toHaveLength(2);
    expectNoTokens(run, [await storedTokens(login)]);
    expectNoTokens(again, [await storedTokens(login)]);
  });

  it.each([
    ['MAIL_TO is not set', { MAIL_TO: '' }, 2, 'EXAMPLE_SETTING_MISSING', 'MAIL_TO is not set'],
    ['ACCOUNT is not set', { ACCOUNT: '' }, 2, 'EXAMPLE_SETTING_MISSING', 'ACCOUNT is not set'],
    ['PRESET names no preset', { PRESET: 'no-such-preset' }, 2, 'PRESET_NOT_FOUND', 'no-such-preset'],
    [
      'the account was never authorized',
      { ACCOUNT: 'nobody@example.test' },
      3,
      'OAUTH_AUTHORIZATION_REQUIRED',
      'hint: run: oauth-authorizer authorize nobody@example.test',
    ],
  ])('exits with a stable code when %s', async (_case, override, status, code, text) => {
    const login = 'settings@example.test';
    if (!(await example.home.store.get(login))) await seedAccount(login);
    const messagesBefore = example.smtp.messages.length;

    const run = await runExample({ ...environment(login), ...override });

    expect(run.status).toBe(status);
    expect(run.stderr).toContain(`[${code}]`);
    expect(run.stderr).toContain(text);
    expect(run.stdout).toBe('');
    expect(example.smtp.messages.length).toBe(messagesBefore);
  });
});
