/**
 * Dovecot for the mail examples' tests: IMAP and POP3 on loopback, every token checked by
 * introspection at the test authorization server, and an IMAP session of the test's own to put
 * mail into a mailbox (or look at it) the way other mail clients would.
 *
 * @module
 */
import type { TokenSet } from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  clients,
  type Dovecot,
  startDovecot,
} from '@oauth-authorizer/test-servers';
import { ImapFlow } from 'imapflow';

/**
 * Starts Dovecot checking every token at `server`'s introspection endpoint, authenticated as the
 * mail resource server, so only tokens the server still calls active log in.
 *
 * @example
 * ```ts
 * const dovecot = await startMailDovecot(server);
 * try { … } finally { await dovecot.close(); }
 * ```
 */
export function startMailDovecot(server: AuthorizationServer): Promise<Dovecot> {
  const rs = clients.resourceServer;
  return startDovecot({
    introspection: {
      url: server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
  });
}

/**
 * Logs in to Dovecot's IMAP as `login` with imapflow directly (not through the example), runs
 * `use`, and logs out even when `use` fails.
 *
 * @returns What `use` returned.
 * @example
 * ```ts
 * await withImapSession(dovecot, login, seeded, async (client) => {
 *   await client.append('INBOX', raw);
 * });
 * ```
 */
export async function withImapSession<T>(
  dovecot: Dovecot,
  login: string,
  tokens: TokenSet,
  use: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: login, accessToken: tokens.accessToken },
    logger: false,
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.logout();
  }
}
