import { dirname, relative } from 'node:path';
import type { TokenSet } from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  clients,
  type SmtpServer,
  startAuthorizationServer,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeWithCli } from './authorize-with-cli.js';
import {
  builtProgram,
  createExampleHome,
  type ExampleHome,
  type ExampleRun,
  leakedTokens,
  revokeAccessTokenOnly,
  revokeGrant,
  runExample,
  seedAccount,
  storedTokens,
} from './example-home.js';

const main = builtProgram(import.meta.url);
const RECIPIENT = 'friend@example.test';

let server: AuthorizationServer;
let smtp: SmtpServer;
let home: ExampleHome;

beforeAll(async () => {
  server = await startAuthorizationServer();
  smtp = await startSmtpServer({ introspect: (token) => server.introspect(token) });
  home = await createExampleHome(server, {
    smtp: { host: smtp.host, port: smtp.port, tls: 'none' },
    sasl: 'XOAUTH2',
  });
});
afterAll(async () => {
  await smtp?.close();
  await server?.close();
  await home?.remove();
});

/** The environment of a user who names everything: home, account, preset file, client. */
function environment(login: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OAUTH_AUTHORIZER_HOME: home.directory,
    ACCOUNT: login,
    PRESET: home.presetFile,
    CLIENT_ID: clients.native.clientId,
    MAIL_TO: RECIPIENT,
    ...extra,
  };
}

const refreshRequests = () => server.countTokenRequests('refresh_token');
const authAttemptsOf = (login: string) => smtp.authAttempts.filter((attempt) => attempt.username === login);
const messagesOf = (login: string) => smtp.messages.filter((message) => message.user === login);

function expectNoTokens(run: ExampleRun, sets: readonly TokenSet[]): void {
  expect(leakedTokens(run.stdout + run.stderr, sets)).toEqual([]);
}

describe('send-mail', () => {
  it('sends one message as the account and prints its Message-ID on stdout', async () => {
    const login = 'sender@example.test';
    const seeded = await seedAccount(home, server, login);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login, { MAIL_SUBJECT: 'Quarterly report' }));

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
    const seeded = await seedAccount(home, server, login, { expired: true });
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login));

    expect(run.status).toBe(0);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(run.stderr.match(/refreshed the access token/g)).toHaveLength(1);
    expect(authAttemptsOf(login).map((attempt) => attempt.accepted)).toEqual([true]);
    expect(messagesOf(login)).toHaveLength(1);
    const stored = await storedTokens(home, login);
    expect(stored.refreshToken).not.toBe(seeded.refreshToken);
    expect((await server.introspect(stored.refreshToken ?? '')).active).toBe(true);
    expectNoTokens(run, [seeded, stored]);
  });

  it('replaces a token the server rejects with one forced refresh and sends on the retry', async () => {
    const login = 'rejected@example.test';
    const seeded = await seedAccount(home, server, login);
    await revokeAccessTokenOnly(server, seeded.accessToken);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login));

    expect(run.status).toBe(0);
    expect(refreshRequests()).toBe(refreshesBefore + 1);
    expect(authAttemptsOf(login).map((attempt) => [attempt.accepted, attempt.reason])).toEqual([
      [false, 'inactive'],
      [true, undefined],
    ]);
    expect(messagesOf(login)).toHaveLength(1);
    expectNoTokens(run, [seeded, await storedTokens(home, login)]);
  });

  it('exits 3 with OAUTH_TOKEN_REJECTED and a re-authorize hint when the grant was revoked', async () => {
    const login = 'revoked@example.test';
    const seeded = await seedAccount(home, server, login);
    await revokeGrant(server, seeded);
    const refreshesBefore = refreshRequests();

    const run = await runExample(main, home, environment(login));

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
      await authorizeWithCli(home.directory, login, [
        '--preset',
        home.presetFile,
        '--client-id',
        clients.native.clientId,
      ]),
    ).toBe(0);

    const run = await runExample(main, home, {
      OAUTH_AUTHORIZER_HOME: home.directory,
      ACCOUNT: login,
      MAIL_TO: RECIPIENT,
    });

    expect(run.stderr).toContain(`sent as ${login}`);
    expect(run.status).toBe(0);
    expect(messagesOf(login)).toHaveLength(1);

    // The saved preset named by a relative path is the same preset: its saved client ID still applies.
    const again = await runExample(main, home, {
      OAUTH_AUTHORIZER_HOME: home.directory,
      ACCOUNT: login,
      MAIL_TO: RECIPIENT,
      PRESET: relative(dirname(dirname(main)), home.presetFile),
    });

    expect(again.status).toBe(0);
    expect(messagesOf(login)).toHaveLength(2);
    expectNoTokens(run, [await storedTokens(home, login)]);
    expectNoTokens(again, [await storedTokens(home, login)]);
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
    if (!(await home.store.get(login))) await seedAccount(home, server, login);
    const messagesBefore = smtp.messages.length;

    const run = await runExample(main, home, { ...environment(login), ...override });

    expect(run.status).toBe(status);
    expect(run.stderr).toContain(`[${code}]`);
    expect(run.stderr).toContain(text);
    expect(run.stdout).toBe('');
    expect(smtp.messages.length).toBe(messagesBefore);
  });
});
