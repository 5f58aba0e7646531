// SMTP with expiring tokens: messages through a pooled nodemailer transport with the mail
// adapter while the access tokens live a few seconds, against smtp-server checking every XOAUTH2
// token by introspection; next to the same run with one static long-lived token. Both runs are
// paced alike, so the wall-time ratio shows what the refreshes cost the sender.
import nodemailer from 'nodemailer';
import { MemoryTokenStore, TokenManager } from '../packages/core/dist/index.js';
import { createSmtpTransport } from '../packages/mail-adapters/dist/index.js';
import {
  authorizeTestAccount,
  startAuthorizationServer,
  startSmtpServer,
} from '../tools/test-servers/dist/index.js';
import { figure } from './lib.mjs';

async function paced(transport, user, count, spacing) {
  const started = Date.now();
  const sends = [];
  for (let index = 0; index < count; index++) {
    const wait = started + index * spacing - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      transport.sendMail({ from: user, to: 'sink@example.test', subject: `bench ${index}`, text: 'bench' }),
    );
  }
  const results = await Promise.allSettled(sends);
  return { ms: Date.now() - started, failed: results.filter((r) => r.status === 'rejected').length };
}

export async function smtpExpiringTokens({ quick }) {
  const lifetime = quick ? 3 : 5;
  const count = quick ? 40 : 200;
  const spacing = quick ? 75 : 60; // 3 s or 12 s of sending: the tokens expire several times
  const server = await startAuthorizationServer({ accessTokenTtl: lifetime });
  const smtp = await startSmtpServer({ introspect: (token) => server.introspect(token) });
  const user = 'bench@example.test';
  const poolOptions = { host: smtp.host, port: smtp.port, pool: true, maxConnections: 3, maxMessages: 5 };
  try {
    const { provider, tokens } = await authorizeTestAccount(server, user);
    const store = new MemoryTokenStore();
    await store.set({ account: user, tokens });
    // oidc-provider truncates a token's expiry to the second: it can end up to 1 s before the
    // client's expiresAt, so a token is handed out only while it has 1.25 s left. Any margin
    // shortens the refresh period below the lifetime; this one keeps it close.
    const manager = new TokenManager({ account: user, store, provider, minValidity: 1.25 });
    const before = server.countTokenRequests('refresh_token');
    const adapter = await createSmtpTransport(manager, { ...poolOptions, user, tls: 'none' });
    const expiring = await paced(adapter, user, count, spacing);
    adapter.close();
    const refreshes = server.countTokenRequests('refresh_token') - before;
    const elapsed = (Date.now() - tokens.obtainedAt) / 1000;

    server.setAccessTokenTtl(3600);
    const longLived = await authorizeTestAccount(server, user);
    const plain = nodemailer.createTransport({
      ...poolOptions,
      secure: false,
      ignoreTLS: true,
      auth: { type: 'OAuth2', user, accessToken: longLived.tokens.accessToken },
    });
    const staticRun = await paced(plain, user, count, spacing);
    plain.close();
    return [
      figure(`SMTP: failed sends of ${count}, tokens living ${lifetime} s`, expiring.failed, '', {
        op: '==',
        value: 0,
      }),
      figure('SMTP: failed sends with a static token', staticRun.failed, '', { op: '==', value: 0 }),
      figure('SMTP: wall time, expiring / static', expiring.ms / staticRun.ms, 'x', { op: '<=', value: 1.1 }),
      figure('SMTP: refreshes', refreshes, '', { op: '<=', value: elapsed / lifetime + 1 }, { elapsed }),
    ];
  } finally {
    await smtp.close();
    await server.close();
  }
}
