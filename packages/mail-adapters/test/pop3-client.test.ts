import {
  OAUTH_ABORTED,
  OAUTH_INSECURE_ENDPOINT,
  OAUTH_NETWORK_ERROR,
  OAUTH_TIMEOUT,
  OAUTH_TOKEN_REJECTED,
} from '@oauth-authorizer/core';
import {
  connectPop3,
  MAIL_AUTH_FAILED,
  MAIL_PROTOCOL_ERROR,
  MailAuthenticationError,
  POP3_ERROR,
  Pop3Client,
  Pop3Error,
} from '@oauth-authorizer/mail-adapters';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakePop3Server, type FakePop3Session, startFakePop3Server } from './fake-pop3-server.js';

const servers: FakePop3Server[] = [];
const clients: Pop3Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(
  respond: (line: string, session: FakePop3Session) => void,
  greeting?: string | null,
): Promise<FakePop3Server> {
  const server = await startFakePop3Server({ respond, ...(greeting !== undefined && { greeting }) });
  servers.push(server);
  return server;
}

async function connect(
  server: FakePop3Server,
  options: Partial<Parameters<typeof Pop3Client.connect>[0]> = {},
) {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: server.port, tls: 'none', ...options });
  clients.push(client);
  return client;
}

const codeOf = (error: unknown) => (error as { code?: string }).code;

/** A message whose lines start with dots, as the server must send it (stuffed), and as it is. */
const ORIGINAL = ['Subject: dots', '', '.', '..', '.leading dot', 'plain', '...', ''].join('\r\n');
const STUFFED = `${ORIGINAL.split('\r\n')
  .slice(0, -1)
  .map((line) => (line.startsWith('.') ? `.${line}` : line))
  .join('\r\n')}\r\n.\r\n`;

describe('Pop3Client wire format', () => {
  it('reads multi-line replies split into 3-byte chunks and removes the dot-stuffing', async () => {
    const server = await serve((line, session) => {
      if (line === 'LIST') session.write('+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n', 3);
      else if (line === 'UIDL') session.write('+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n', 3);
      else if (line === 'RETR 1') session.write(`+OK ${ORIGINAL.length} octets\r\n${STUFFED}`, 3);
      else if (line === 'STAT') session.write('+OK 2 320\r\n', 3);
    });
    const pop3 = await connect(server);
    expect(pop3.greeting).toBe('fake POP3 ready');
    expect(await pop3.stat()).toEqual({ count: 2, size: 320 });
    expect(await pop3.list()).toEqual([
      { number: 1, size: 120 },
      { number: 2, size: 200 },
    ]);
    expect(await pop3.uidl()).toEqual([
      { number: 1, uid: 'aaa' },
      { number: 2, uid: 'bbb' },
    ]);
    expect((await pop3.retrieveMessage(1)).toString('latin1')).toBe(ORIGINAL);
  });

  it('streams a large message to a slow reader, and a command issued meanwhile waits for the message to end', async () => {
    const lines = Array.from(
      { length: 20_000 },
      (_, index) => `${index % 7 === 0 ? '.' : ''}line ${index} ${'x'.repeat(60)}`,
    );
    const body = `${lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n')}\r\n.\r\n`;
    const server = await serve((line, session) => {
      if (line === 'RETR 1') session.write(`+OK\r\n${body}`);
      else if (line === 'NOOP') session.write('+OK\r\n');
    });
    const pop3 = await connect(server);
    const stream = await pop3.retrieve(1);
    // Issued at once: it must not read its reply from the middle of the message.
    const noop = pop3.noop();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      if (chunks.length % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await noop;
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(`${lines.join('\r\n')}\r\n`);
    expect(server.received).toEqual(['RETR 1', 'NOOP']);
  });

  it('skips the rest of a message whose stream is destroyed, and the session goes on', async () => {
    const body = `${Array.from({ length: 5000 }, (_, index) => `line ${index}`).join('\r\n')}\r\n.\r\n`;
    const server = await serve((line, session) => {
      if (line === 'RETR 1') session.write(`+OK\r\n${body}`, 4096);
      else if (line === 'NOOP') session.write('+OK still here\r\n');
    });
    const pop3 = await connect(server);
    const stream = await pop3.retrieve(1);
    for await (const _chunk of stream) break;
    await pop3.noop();
    expect(pop3.closed).toBe(false);
  });

  it('throws Pop3Error with the response code for -ERR, and the session survives', async () => {
    const server = await serve((line, session) => {
      if (line === 'DELE 9') session.write('-ERR [SYS/PERM] no such message\r\n');
      else if (line === 'RSET') session.write('+OK\r\n');
    });
    const pop3 = await connect(server);
    const error = await pop3.delete(9).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Pop3Error);
    expect(error).toMatchObject({
      code: POP3_ERROR,
      command: 'DELE',
      reply: 'no such message',
      responseCode: 'SYS/PERM',
    });
    await pop3.reset();
  });

  it('sends QUIT and then refuses further commands', async () => {
    const server = await serve((line, session) => {
      if (line === 'QUIT') session.write('+OK bye\r\n');
    });
    const pop3 = await connect(server);
    await pop3.quit();
    expect(pop3.closed).toBe(true);
    expect(codeOf(await pop3.noop().catch((caught: unknown) => caught))).toBe(OAUTH_NETWORK_ERROR);
    await pop3.quit();
    expect(server.received).toEqual(['QUIT']);
  });

  it('rejects a message number that is not a positive integer at once', async () => {
    const pop3 = await connect(await serve(() => {}));
    await expect(() => pop3.retrieve(0)).rejects.toThrow(TypeError);
    expect(() => pop3.list(1.5)).toThrow(TypeError);
  });
});

describe('Pop3Client failures', () => {
  it('times out a command the server does not answer, closing the connection', async () => {
    const pop3 = await connect(await serve(() => {}), { commandTimeout: 150 });
    const error = await pop3.noop().catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe(OAUTH_TIMEOUT);
    expect(pop3.closed).toBe(true);
  });

  it('times out a connection that never greets', async () => {
    const server = await serve(() => {}, null);
    const error = await connect(server, { connectTimeout: 150 }).catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe(OAUTH_TIMEOUT);
  });

  it('aborts a command through its signal', async () => {
    const pop3 = await connect(await serve(() => {}));
    const controller = new AbortController();
    const pending = pop3.stat({ signal: controller.signal });
    controller.abort();
    expect(codeOf(await pending.catch((caught: unknown) => caught))).toBe(OAUTH_ABORTED);
  });

  it('reports a connection closed in the middle of a reply as a network error', async () => {
    const server = await serve((line, session) => {
      if (line === 'RETR 1') {
        session.write('+OK\r\nhalf a mess');
        session.socket.end();
      }
    });
    const pop3 = await connect(server);
    expect(codeOf(await pop3.retrieveMessage(1).catch((caught: unknown) => caught))).toBe(
      OAUTH_NETWORK_ERROR,
    );
  });

  it('refuses a reply line over the limit', async () => {
    const server = await serve((line, session) => {
      if (line === 'STAT') session.write(`+OK ${'9'.repeat(500)}\r\n`);
    });
    const pop3 = await connect(server, { maxLineLength: 100 });
    expect(codeOf(await pop3.stat().catch((caught: unknown) => caught))).toBe(MAIL_PROTOCOL_ERROR);
  });

  it('refuses a reply that is not POP3', async () => {
    const server = await serve((line, session) => {
      if (line === 'NOOP') session.write('* OK this is IMAP\r\n');
    });
    const pop3 = await connect(server);
    expect(codeOf(await pop3.noop().catch((caught: unknown) => caught))).toBe(MAIL_PROTOCOL_ERROR);
  });

  it('throws Pop3Error for a -ERR greeting', async () => {
    const server = await serve(() => {}, '-ERR [SYS/TEMP] too busy');
    const error = await connect(server).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Pop3Error);
    expect((error as Pop3Error).transient).toBe(true);
  });

  it('refuses data the server sends between its STLS reply and the handshake (response injection)', async () => {
    const server = await serve((line, session) => {
      if (line === 'STLS') session.write('+OK Begin TLS\r\n+OK injected\r\n');
    });
    const error = await connect(server, { tls: 'starttls' }).catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe(MAIL_PROTOCOL_ERROR);
  });

  it('refuses plain text to a host that is not loopback, before connecting', async () => {
    const error = await Pop3Client.connect({ host: 'pop.example.com', port: 110, tls: 'none' }).catch(
      (caught: unknown) => caught,
    );
    expect(codeOf(error)).toBe(OAUTH_INSECURE_ENDPOINT);
  });
});

describe('Pop3Client.authenticate()', () => {
  const source = (tokens: string[]) => ({
    calls: [] as Array<{ forceRefresh?: boolean }>,
    async getAccessToken(options: { forceRefresh?: boolean } = {}) {
      this.calls.push(options);
      if (options.forceRefresh) tokens.shift();
      const next = tokens[0];
      if (next === undefined) throw new Error('no more tokens');
      return next;
    },
  });

  it('sends a long initial response after the empty "+", keeping the AUTH line within 255 octets', async () => {
    const token = `t${'0'.repeat(400)}`;
    const server = await serve((line, session) => {
      if (line === 'AUTH XOAUTH2') session.write('+ \r\n');
      else if (line.length > 255) session.write('+OK logged in\r\n');
    });
    const pop3 = await connect(server);
    await pop3.authenticate('XOAUTH2', { user: 'u@example.test', token });
    expect(server.received[0]).toBe('AUTH XOAUTH2');
    expect(Buffer.from(server.received[1]!, 'base64').toString()).toBe(
      `user=u@example.test\x01auth=Bearer ${token}\x01\x01`,
    );
  });

  it.each([
    ['XOAUTH2', ''],
    ['OAUTHBEARER', 'AQ=='],
  ] as const)(
    'answers a %s error challenge with %j and throws the decoded challenge',
    async (mechanism, ack) => {
      const challenge = Buffer.from(JSON.stringify({ status: 'invalid_token', scope: 'mail' })).toString(
        'base64',
      );
      const server = await serve((line, session) => {
        if (line.startsWith('AUTH ')) session.write(`+ ${challenge}\r\n`);
        else session.write('-ERR [AUTH] Authentication failed.\r\n');
      });
      const pop3 = await connect(server);
      const error = await pop3
        .authenticate(mechanism, { user: 'u@example.test', token: 'secret-token' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MailAuthenticationError);
      expect(error).toMatchObject({
        code: OAUTH_TOKEN_REJECTED,
        mechanism,
        serverReply: '-ERR [AUTH] Authentication failed.',
        challenge: { status: 'invalid_token', scope: 'mail' },
      });
      expect((error as Error).message).not.toContain('secret-token');
      expect(server.received[1]).toBe(ack);
    },
  );

  it('treats [SYS/TEMP] as a transient failure that a new token would not fix', async () => {
    const server = await serve((line, session) => {
      if (line.startsWith('AUTH ')) session.write('-ERR [SYS/TEMP] Temporary authentication failure.\r\n');
    });
    const pop3 = await connect(server);
    const error = await pop3
      .authenticate('XOAUTH2', { user: 'u@example.test', token: 't' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: MAIL_AUTH_FAILED, transient: true });
  });

  it('connectPop3() retries on the same connection with the replacement token, once', async () => {
    const server = await serve((line, session) => {
      if (line === 'CAPA') session.write('+OK\r\nSASL XOAUTH2\r\n.\r\n');
      else if (line.startsWith('AUTH XOAUTH2 ')) {
        const decoded = Buffer.from(line.slice(13), 'base64').toString();
        session.write(decoded.includes('auth=Bearer good') ? '+OK\r\n' : '-ERR [AUTH] bad token\r\n');
      }
    });
    const tokens = source(['stale', 'good']);
    const pop3 = await connectPop3(tokens, {
      user: 'u@example.test',
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
    });
    clients.push(pop3);
    expect(server.received.filter((line) => line === 'CAPA')).toHaveLength(1);
    expect(server.received.filter((line) => line.startsWith('AUTH '))).toHaveLength(2);
    expect(tokens.calls.filter((call) => call.forceRefresh)).toHaveLength(1);
  });

  it('connectPop3() fails with MAIL_AUTH_FAILED when CAPA lists no usable mechanism, sending no token', async () => {
    const server = await serve((line, session) => {
      if (line === 'CAPA') session.write('+OK\r\nSASL PLAIN LOGIN\r\n.\r\n');
    });
    const error = await connectPop3(source(['t']), {
      user: 'u@example.test',
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: MAIL_AUTH_FAILED });
    expect(server.received.some((line) => line.startsWith('AUTH'))).toBe(false);
  });
});
