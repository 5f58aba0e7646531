// The mail proxy (issue 17): SMTP and IMAP through the proxy next to the same sent directly with
// XOAUTH2, 500 concurrent IMAP sessions starting after the access token expired (failures, token
// requests), and the memory of an idle proxied IMAP session. The proxy runs in its own process
// (mail-proxy-worker.mjs), so its memory is measured alone.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { hashPassword } from '../packages/mail-proxy/dist/index.js';
import {
  authorizeTestAccount,
  clients,
  expiredTokens,
  startAuthorizationServer,
  startDovecot,
  startSmtpServer,
  startTokenImapServer,
} from '../tools/test-servers/dist/index.js';
import { figure, median } from './lib.mjs';

const PASSWORD = 'bench password';

async function startProxy(config, accounts) {
  const child = fork(new URL('./mail-proxy-worker.mjs', import.meta.url), [], {
    execArgv: ['--expose-gc'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send({ config, accounts });
  const [{ ports }] = await once(child, 'message');
  return {
    ports,
    async memory() {
      child.send('memory');
      const [{ memory }] = await once(child, 'message');
      return memory;
    },
    async close() {
      const exited = once(child, 'exit');
      child.send('close');
      await exited;
    },
  };
}

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

/** One raw IMAP client that logs in through the proxy and stays idle; resolves with it when logged in. */
function idleSession(port, user) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = false;
    const done = (ok) => {
      socket.removeAllListeners('data');
      resolve({ ok, socket });
    };
    socket.on('error', () => done(false));
    socket.setEncoding('utf8').on('data', (chunk) => {
      received += chunk;
      if (!sent && received.includes('\r\n')) {
        sent = true;
        socket.write(`a LOGIN ${user} "${PASSWORD}"\r\n`);
      }
      if (/^a OK /m.test(received)) done(true);
      else if (/^a (NO|BAD) /m.test(received)) done(false);
    });
  });
}

async function fetchAll(client) {
  const lock = await client.getMailboxLock('INBOX');
  let bytes = 0;
  const started = process.hrtime.bigint();
  try {
    for await (const message of client.fetch('1:*', { source: true })) bytes += message.source.length;
  } finally {
    lock.release();
  }
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, bytes };
}

/** An imapflow client on 127.0.0.1, logged in; `tls` is the server certificate to trust for implicit TLS. */
async function startImapClient({ port, tls, auth }) {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: tls !== undefined,
    ...(tls !== undefined && { tls: { ca: tls } }),
    doSTARTTLS: false,
    logger: false,
    auth,
  });
  await client.connect();
  return client;
}

/**
 * FETCHes of the whole mailbox, direct and through the proxy in turn, `rounds` times: the median
 * of the rounds' ratios (proxied ÷ direct). Each round pairs two runs a moment apart, and the
 * median drops the rounds the shared machine's scheduler disturbed, on either side; the best
 * times' ratio, which one lucky run on one side decides, is kept in the details. Logs both
 * clients out.
 */
async function fetchRatio(directClient, proxiedClient, rounds) {
  const directTimes = [];
  const proxiedTimes = [];
  for (let round = 0; round < rounds; round++) {
    directTimes.push((await fetchAll(directClient)).ms);
    proxiedTimes.push((await fetchAll(proxiedClient)).ms);
  }
  await directClient.logout();
  await proxiedClient.logout();
  return {
    ratio: median(proxiedTimes.map((ms, round) => ms / directTimes[round])),
    details: {
      rounds,
      directMedianMs: median(directTimes),
      proxiedMedianMs: median(proxiedTimes),
      bestTimesRatio: Math.min(...proxiedTimes) / Math.min(...directTimes),
    },
  };
}

export async function mailProxy({ quick }) {
  const figures = [];
  const server = await startAuthorizationServer({ accessTokenTtl: 3600 });
  const user = 'proxy-bench@example.test';
  const passwordHash = await hashPassword(PASSWORD);
  const warmUser = 'proxy-warm-up@example.test';
  const users = {
    bench: { account: user, password: passwordHash },
    warm: { account: warmUser, password: passwordHash },
  };
  const rs = clients.resourceServer;
  const introspect = (token) => server.introspect(token);
  const smtp = await startSmtpServer({ introspect });
  const tokenImap = await startTokenImapServer({ introspect });
  const dovecot = await startDovecot({
    introspection: {
      url: server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
    tls: true,
  });
  const caDirectory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-bench-ca-'));
  const caFile = join(caDirectory, 'dovecot.pem');
  await writeFile(caFile, dovecot.certificate);
  let proxy;
  try {
    const account = await authorizeTestAccount(server, user);
    const sessions = quick ? 100 : 500;
    proxy = await startProxy(
      {
        users,
        listeners: [
          {
            name: 'smtp',
            protocol: 'smtp',
            port: 0,
            upstream: { host: '127.0.0.1', port: smtp.port, tls: 'none' },
          },
          {
            name: 'imap',
            protocol: 'imap',
            port: 0,
            upstream: { host: '127.0.0.1', port: dovecot.imapPort, tls: 'none' },
          },
          {
            name: 'imap-tls',
            protocol: 'imap',
            port: 0,
            upstream: { host: '127.0.0.1', port: dovecot.imapsPort, tls: 'implicit', ca: caFile },
          },
          {
            name: 'imap-load',
            protocol: 'imap',
            port: 0,
            upstream: { host: '127.0.0.1', port: tokenImap.port, tls: 'none' },
          },
        ],
        limits: { maxConnections: sessions + 50 },
      },
      // Expired on arrival: the load run's sessions all start after expiry.
      {
        [user]: { provider: account.provider, tokens: expiredTokens(account.tokens) },
        // Expired too: its refresh opens the proxy's HTTP connection to the token endpoint.
        [warmUser]: await (async () => {
          const warm = await authorizeTestAccount(server, warmUser);
          return { provider: warm.provider, tokens: expiredTokens(warm.tokens) };
        })(),
      },
    );
    // Code compiled and buffers pooled by the first sessions are the process's, not a session's:
    // sessions of another account warm the proxy up before the baseline.
    const warmUp = await Promise.all(
      Array.from({ length: 20 }, () => idleSession(proxy.ports['imap-load'], 'warm')),
    );
    for (const session of warmUp) session.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));

    // 500 concurrent IMAP sessions after expiry: no failure, one token request; then their memory.
    const baseline = await proxy.memory();
    const refreshesBefore = server.countTokenRequests('refresh_token');
    const opened = await Promise.all(
      Array.from({ length: sessions }, () => idleSession(proxy.ports['imap-load'], 'bench')),
    );
    const failures = opened.filter((session) => !session.ok).length;
    const tokenRequests = server.countTokenRequests('refresh_token') - refreshesBefore;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loaded = await proxy.memory();
    const perSession = (used) => used / sessions / 1024;
    figures.push(
      figure(`IMAP: failed logins of ${sessions} concurrent sessions through the proxy`, failures, '', {
        op: '==',
        value: 0,
      }),
      figure(`IMAP: token requests for ${sessions} concurrent sessions after expiry`, tokenRequests, '', {
        op: '==',
        value: 1,
      }),
      // What a session keeps alive, after a full GC: its objects and buffers (sockets included).
      figure(
        'IMAP: proxy memory held per idle proxied session (heap + external, after GC)',
        perSession(loaded.heapUsed + loaded.external - baseline.heapUsed - baseline.external),
        'KiB',
        { op: '<=', value: 64 },
      ),
      // The process's growth, for information: it also holds the heap the login storm's garbage grew.
      figure(
        'IMAP: proxy RSS growth per idle proxied session (login storm included)',
        perSession(loaded.rss - baseline.rss),
        'KiB',
      ),
    );
    for (const session of opened) session.socket.destroy();

    // SMTP: the same paced messages directly with XOAUTH2 and through the proxy with a password.
    const count = quick ? 40 : 200;
    const spacing = quick ? 25 : 20;
    const token = (await authorizeTestAccount(server, user)).tokens.accessToken;
    const pool = { pool: true, maxConnections: 3, secure: false, ignoreTLS: true };
    const direct = nodemailer.createTransport({
      ...pool,
      host: '127.0.0.1',
      port: smtp.port,
      auth: { type: 'OAuth2', user, accessToken: token },
    });
    const directRun = await paced(direct, user, count, spacing);
    direct.close();
    const proxied = nodemailer.createTransport({
      ...pool,
      host: '127.0.0.1',
      port: proxy.ports.smtp,
      auth: { user: 'bench', pass: PASSWORD },
    });
    const proxiedRun = await paced(proxied, user, count, spacing);
    proxied.close();
    figures.push(
      figure(`SMTP: failed sends of ${count} through the proxy`, proxiedRun.failed + directRun.failed, '', {
        op: '==',
        value: 0,
      }),
      figure(
        `SMTP: ${count} messages, through the proxy / direct with XOAUTH2`,
        proxiedRun.ms / directRun.ms,
        'x',
        { op: '<=', value: 1.15 },
      ),
    );

    // IMAP FETCH of every message: directly with XOAUTH2 and through the proxy with a password,
    // over TLS to the server as deployed (the proxy takes the client's TLS work on itself), and
    // over plain TCP to the server, which the proxy allows only for a loopback upstream.
    const messages = quick ? 200 : 1000;
    const rounds = quick ? 5 : 31;
    const filler = await startImapClient({ port: dovecot.imapPort, auth: { user, accessToken: token } });
    const body = `Subject: bench\r\n\r\n${'A line of a benchmark message, seventy-six characters long, give or take.\r\n'.repeat(40)}`;
    for (let index = 0; index < messages; index++) await filler.append('INBOX', body);
    await filler.logout();
    const overTls = await fetchRatio(
      await startImapClient({
        port: dovecot.imapsPort,
        tls: dovecot.certificate,
        auth: { user, accessToken: token },
      }),
      await startImapClient({ port: proxy.ports['imap-tls'], auth: { user: 'bench', pass: PASSWORD } }),
      rounds,
    );
    const overPlain = await fetchRatio(
      await startImapClient({ port: dovecot.imapPort, auth: { user, accessToken: token } }),
      await startImapClient({ port: proxy.ports.imap, auth: { user: 'bench', pass: PASSWORD } }),
      rounds,
    );
    figures.push(
      figure(
        `IMAP: FETCH of ${messages} messages over TLS to the server, through the proxy / direct`,
        overTls.ratio,
        'x',
        { op: '<=', value: 1.1 },
        overTls.details,
      ),
      // For information: with no TLS anywhere, the proxy's hop is all there is to the difference.
      figure(
        `IMAP: FETCH of ${messages} messages, plain TCP to a loopback server, through the proxy / direct`,
        overPlain.ratio,
        'x',
        undefined,
        overPlain.details,
      ),
    );
    return figures;
  } finally {
    await proxy?.close();
    await dovecot.close();
    await rm(caDirectory, { recursive: true, force: true });
    await tokenImap.close();
    await smtp.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./lib.mjs');
  printTable(await mailProxy({ quick: process.argv.includes('--quick') }));
}
