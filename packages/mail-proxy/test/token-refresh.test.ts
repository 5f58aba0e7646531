import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenManager } from '@oauth-authorizer/core';
import type { AccessTokenSource } from '@oauth-authorizer/mail-adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizedManager,
  invalidateAccessToken,
  type MailWorld,
  PASSWORD,
  runPython,
  startMailWorld,
  startTestProxy,
  type TestProxy,
} from './fixtures.js';

/** Access token lifetime at the test server, in seconds. */
const LIFETIME = 3;
const EXPIRING = 'expiring@example.test';
const REVOKED = 'always-rejected@example.test';

let world: MailWorld;
let manager: TokenManager;
let rejectedManager: TokenManager;
let proxy: TestProxy;

const LOGIN = `
import imaplib, sys
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
try:
    print(imap.login(sys.argv[2], sys.argv[3])[0])
    print(imap.select("INBOX")[0])
    imap.logout()
except imaplib.IMAP4.error as error:
    print("refused", error)
`;

/** Hands out the manager's tokens, each one made unknown to the server first: every login is rejected. */
function everyTokenRejected(source: TokenManager): AccessTokenSource {
  return {
    async getAccessToken(options) {
      const token = await source.getAccessToken(options);
      await invalidateAccessToken(world.server, token).catch(() => undefined);
      return token;
    },
  };
}

beforeAll(async () => {
  world = await startMailWorld({ accessTokenTtl: LIFETIME });
  manager = await authorizedManager(world.server, EXPIRING);
  rejectedManager = await authorizedManager(world.server, REVOKED);
  proxy = await startTestProxy(
    [
      {
        name: 'imap',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: world.imap.port, tls: 'starttls', ca: world.caFile },
      },
    ],
    { [EXPIRING]: manager, [REVOKED]: everyTokenRejected(rejectedManager) },
    { device: { account: EXPIRING }, revoked: { account: REVOKED } },
  );
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

describe('tokens behind the proxy', () => {
  it('new sessions after the access token expired all work, with one refresh for all of them', async () => {
    const first = await runPython(LOGIN, [proxy.port('imap'), 'device', PASSWORD]);
    expect(first.stdout.trim()).toBe('OK\nOK');
    // The token from the coming refresh must outlive the runs (a slow machine takes seconds for
    // six Python processes), or a later run would rightly refresh again.
    world.server.setAccessTokenTtl(3600);
    await sleep(LIFETIME * 1000 + 300);
    const refreshes = world.server.countTokenRequests('refresh_token');
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => runPython(LOGIN, [proxy.port('imap'), 'device', PASSWORD])),
    );
    for (const run of runs) expect(run.stdout.trim(), run.stderr).toBe('OK\nOK');
    expect(world.server.countTokenRequests('refresh_token') - refreshes).toBe(1);
  });

  it("a token rejected again after the one retry reaches the client as an authentication failure with the server's reply", async () => {
    // A fresh token first, so the only refresh counted is the forced one after the rejection.
    world.server.setAccessTokenTtl(3600);
    await rejectedManager.getAccessToken({ forceRefresh: true });
    const refreshes = world.server.countTokenRequests('refresh_token');
    const run = await runPython(LOGIN, [proxy.port('imap'), 'revoked', PASSWORD]);
    expect(run.stdout).toContain('refused');
    expect(run.stdout).toContain(
      "[AUTHENTICATIONFAILED] The mail server refused the proxy's login: NO [AUTHENTICATIONFAILED]",
    );
    expect(world.server.countTokenRequests('refresh_token') - refreshes).toBe(1);
    const entry = proxy.logs.filter((e) => e.event === 'session' && e.user === 'revoked').at(-1);
    expect(entry).toMatchObject({
      outcome: 'token-rejected',
      detail: expect.stringContaining('OAUTH_TOKEN_REJECTED'),
    });
    expect(entry?.event === 'session' && entry.detail).toContain('again, after getting a new token');
    expect(proxy.logText()).not.toContain(await rejectedManager.getAccessToken());
  });
});
