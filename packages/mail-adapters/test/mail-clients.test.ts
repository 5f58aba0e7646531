import { OAUTH_INVALID_CONFIGURATION } from '@oauth-authorizer/core';
import {
  connectImapFor,
  connectPop3For,
  createSmtpTransportFor,
  type MailSettings,
} from '@oauth-authorizer/mail-adapters';
import { definePreset, resolvePreset } from '@oauth-authorizer/presets';
import {
  type AuthorizationServer,
  clients,
  type Dovecot,
  type SmtpServer,
  startAuthorizationServer,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAccount, rfc5322Message, SCOPES, startDovecotFor } from './fixtures.js';

let server: AuthorizationServer;
let relaySink: SmtpServer;
let dovecot: Dovecot;

beforeAll(async () => {
  server = await startAuthorizationServer();
  relaySink = await startSmtpServer();
  dovecot = await startDovecotFor(server, { smtpRelayPort: relaySink.port });
});
afterAll(async () => {
  await dovecot?.close();
  await relaySink?.close();
  await server?.close();
});

/** A provider preset, as a community preset package would define it, whose mail servers are the test servers. */
function loopbackPreset() {
  return definePreset({
    id: 'loopback-mail',
    name: 'Loopback Mail',
    authorizationUrl: server.endpoints.authorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
    scopes: SCOPES,
    flows: ['code'],
    mail: {
      imap: { host: '127.0.0.1', port: dovecot.imapPort, tls: 'none' },
      smtp: { host: '127.0.0.1', port: dovecot.submissionPort!, tls: 'none' },
      pop3: { host: '127.0.0.1', port: dovecot.pop3Port, tls: 'none' },
      sasl: 'XOAUTH2',
    },
  });
}

describe('preset integration', () => {
  it("turns a preset's mail settings into a ready SMTP transport, IMAP client and POP3 client", async () => {
    const { provider, mail } = resolvePreset(loopbackPreset(), { clientId: clients.native.clientId });
    // The presets package's mail settings are what the adapters take, as they are.
    const settings: MailSettings | undefined = mail;
    const account = await authorizeAccount(server, 'preset-user@example.test', { provider });
    const { manager, user } = account;

    const transport = await createSmtpTransportFor(manager, { user, mail: settings });
    try {
      await transport.sendMail({ from: user, to: 'friend@example.test', subject: 'via preset', text: 'Hi.' });
    } finally {
      transport.close();
    }
    await relaySink.waitForMessages(1);
    expect(relaySink.messages.at(-1)?.raw).toContain('Subject: via preset');

    const imap = await connectImapFor(manager, { user, mail: settings });
    try {
      await imap.append('INBOX', rfc5322Message(user, user, 'for POP3', 'Stored over IMAP.'));
    } finally {
      await imap.logout();
    }

    const pop3 = await connectPop3For(manager, { user, mail: settings });
    try {
      expect((await pop3.stat()).count).toBe(1);
      expect((await pop3.retrieveMessage(1)).toString('utf8')).toContain('Stored over IMAP.');
    } finally {
      await pop3.quit();
    }
    // POP3 used the preset's SASL mechanism rather than its own preference (OAUTHBEARER).
    expect(dovecot.log()).toMatch(
      /pop3-login: Info: Login: user=<preset-user@example\.test>, method=XOAUTH2/,
    );
  });

  it('says which server is missing when the mail settings have none for the protocol', async () => {
    const mail: MailSettings = { imap: { host: '127.0.0.1', port: dovecot.imapPort, tls: 'none' } };
    const source = { getAccessToken: async () => 'unused' };
    const error = await connectPop3For(source, { user: 'u@example.test', mail }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: OAUTH_INVALID_CONFIGURATION,
      message: expect.stringContaining('POP3'),
    });
    await expect(
      createSmtpTransportFor(source, { user: 'u@example.test', mail: undefined }),
    ).rejects.toMatchObject({
      code: OAUTH_INVALID_CONFIGURATION,
    });
  });
});
