import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startTestProxy, type TestProxy, waitForSessions } from './fixtures.js';

let proxy: TestProxy;

beforeAll(async () => {
  const down = { host: '127.0.0.1', port: await closedPort(), tls: 'none' };
  proxy = await startTestProxy(
    [
      { name: 'smtp', protocol: 'smtp', port: 0, upstream: down },
      { name: 'imap', protocol: 'imap', port: 0, upstream: down },
      { name: 'pop3', protocol: 'pop3', port: 0, upstream: down },
    ],
    {},
    { printer: { account: 'nobody@example.test' } },
    { maxConnections: 2, maxLineLength: 512, commandTimeout: 0.5 },
  );
});

afterAll(async () => {
  await proxy?.close();
});

/** A raw client: everything the proxy sent, and whether it closed. */
function client(port: number): {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
  waitFor(text: string): Promise<string>;
} {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => undefined);
  return {
    socket,
    received: () => received,
    closed,
    async waitFor(text) {
      const deadline = Date.now() + 5_000;
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return received;
    },
  };
}

describe('the limits of the command phase', () => {
  it('refuses a connection over maxConnections with a temporary error of the protocol', async () => {
    const first = client(proxy.port('smtp'));
    const second = client(proxy.port('smtp'));
    await first.waitFor('220 ');
    await second.waitFor('220 ');
    const third = client(proxy.port('smtp'));
    await third.closed;
    expect(third.received()).toBe('421 4.7.0 Too many connections, try again later\r\n');
    const logged = proxy.logs.filter((entry) => entry.event === 'session').length;
    first.socket.destroy();
    second.socket.destroy();
    await Promise.all([first.closed, second.closed]);
    // Their places are free once the proxy has ended (and logged) both sessions.
    await waitForSessions(proxy, logged + 2);
    const fourth = client(proxy.port('smtp'));
    await fourth.waitFor('220 ');
    fourth.socket.destroy();
  });

  it('closes a session whose command line is longer than maxLineLength', async () => {
    const smtp = client(proxy.port('smtp'));
    await smtp.waitFor('220 ');
    smtp.socket.write(`EHLO ${'a'.repeat(600)}`);
    await smtp.closed;
    expect(smtp.received()).toMatch(/421 4\.4\.2 [^\r\n]*\r\n$/);
    expect(proxy.logs.some((entry) => entry.event === 'session' && entry.outcome === 'line-too-long')).toBe(
      true,
    );
  });

  it('refuses an IMAP literal larger than maxLineLength without asking for it', async () => {
    const imap = client(proxy.port('imap'));
    await imap.waitFor('* OK ');
    imap.socket.write('a1 LOGIN printer {100000}\r\n');
    await imap.closed;
    expect(imap.received()).not.toContain('+ Ready');
    expect(imap.received()).toMatch(/\* BYE [^\r\n]*\r\n$/);
  });

  it('ends a POP3 session that sends nothing within commandTimeout', async () => {
    const pop3 = client(proxy.port('pop3'));
    await pop3.waitFor('+OK ');
    const started = Date.now();
    await pop3.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(pop3.received()).toMatch(/-ERR Autologout[^\r\n]*\r\n$/);
  });

  it('close() waits for open sessions up to the drain timeout, then closes them', async () => {
    const own = await startTestProxy(
      [
        {
          name: 'smtp',
          protocol: 'smtp',
          port: 0,
          upstream: { host: '127.0.0.1', port: await closedPort(), tls: 'none' },
        },
      ],
      {},
      { printer: { account: 'nobody@example.test' } },
    );
    const session = client(own.port('smtp'));
    await session.waitFor('220 ');
    const started = Date.now();
    await own.proxy.close(0.6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    await session.closed;
    await expect(
      new Promise((resolve, reject) =>
        connect({ host: '127.0.0.1', port: own.port('smtp') })
          .on('connect', resolve)
          .on('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(own.logs.some((entry) => entry.event === 'stopped')).toBe(true);
  });
});
