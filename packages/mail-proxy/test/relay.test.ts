import { once } from 'node:events';
import { connect } from 'node:net';
import { AuthorizerError, OAUTH_AUTHORIZATION_REQUIRED } from '@oauth-authorizer/core';
import type { AccessTokenRequest } from '@oauth-authorizer/mail-adapters';
import { startTokenImapServer, type TokenImapServer } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestProxy, type TestProxy, waitForSessions } from './fixtures.js';

const MAILBOX = 'relay@example.test';
const STALE = 'stale-access-token-0001';
const FRESH = 'fresh-access-token-0002';

let imap: TokenImapServer;
let proxy: TestProxy;
const requests: AccessTokenRequest[] = [];
let current = STALE;

beforeAll(async () => {
  imap = await startTokenImapServer({
    introspect: async (token) => ({ active: token === FRESH, email: MAILBOX }),
  });
  const source = {
    async getAccessToken(options: AccessTokenRequest = {}) {
      requests.push(options);
      if (options.forceRefresh) current = FRESH;
      return current;
    },
  };
  proxy = await startTestProxy(
    [
      {
        name: 'imap',
        protocol: 'imap',
        port: 0,
        upstream: { host: '127.0.0.1', port: imap.port, tls: 'none' },
      },
    ],
    {
      [MAILBOX]: source,
      // A refresh token the provider refused: core's manager says so with OAUTH_AUTHORIZATION_REQUIRED.
      'gone@example.test': {
        getAccessToken: () =>
          Promise.reject(
            new AuthorizerError(
              OAUTH_AUTHORIZATION_REQUIRED,
              'the refresh token was rejected: invalid_grant',
            ),
          ),
      },
    },
    { device: { account: MAILBOX }, gone: { account: 'gone@example.test' } },
    { idleTimeout: 0.8 },
  );
});

afterAll(async () => {
  await proxy?.close();
  await imap?.close();
});

function session() {
  const socket = connect({ host: '127.0.0.1', port: proxy.port('imap') });
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  return {
    socket,
    received: () => received,
    closed: once(socket, 'close'),
    async waitFor(pattern: RegExp) {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(received)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

describe('the relay after login', () => {
  it('retries a rejected token once with a forced refresh, and passes on commands pipelined after the login', async () => {
    const client = session();
    await client.waitFor(/^\* OK /);
    client.socket.write(`a LOGIN device "${PASSWORD}"\r\nb NOOP\r\n`);
    await client.waitFor(/^b OK NOOP done\r\n/m);
    expect(client.received()).toMatch(/^a OK \[CAPABILITY IMAP4rev1 IDLE\] Logged in\r\n/m);
    expect(requests.filter((request) => request.forceRefresh === true)).toHaveLength(1);
    expect(imap.refusals()).toBe(1);
    expect(imap.logins()).toBe(1);
    client.socket.write('c LOGOUT\r\n');
    await client.closed;
    expect(client.received()).toMatch(/c OK LOGOUT done\r\n$/);
  });

  it('closes a logged-in session after idleTimeout without a byte either way', async () => {
    const client = session();
    await client.waitFor(/^\* OK /);
    client.socket.write(`a LOGIN device "${PASSWORD}"\r\n`);
    await client.waitFor(/^a OK /m);
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    const entry = (await waitForSessions(proxy, 2)).at(-1);
    expect(entry).toMatchObject({ outcome: 'relayed', detail: 'idle timeout' });
    expect(proxy.logText()).not.toContain(FRESH);
    expect(proxy.logText()).not.toContain(STALE);
  });

  it('tells the client, and the log, when the account must be authorized again', async () => {
    const client = session();
    await client.waitFor(/^\* OK /);
    const connections = imap.sessions();
    client.socket.write(`a LOGIN gone "${PASSWORD}"\r\n`);
    await client.waitFor(/^a NO /m);
    expect(client.received()).toMatch(
      /^a NO \[AUTHENTICATIONFAILED\] The proxy's account must be authorized again\.\r\n/m,
    );
    expect(imap.sessions()).toBe(connections);
    client.socket.destroy();
    const entry = (await waitForSessions(proxy, 3)).at(-1);
    expect(entry).toMatchObject({
      user: 'gone',
      outcome: 'authorization-required',
      detail: expect.stringContaining('OAUTH_AUTHORIZATION_REQUIRED'),
    });
  });
});
