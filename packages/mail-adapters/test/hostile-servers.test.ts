/**
 * The real clients (our POP3 client, imapflow through our adapter) against servers whose replies
 * never end: each must stop at its limit with a typed error naming it, and close the connection,
 * so the server stops sending. Without the limits these tests hang until the flood cap and fail.
 */
import {
  connectImapFlow,
  connectPop3,
  MAIL_PROTOCOL_ERROR,
  MAIL_RESPONSE_TOO_LARGE,
  MailResponseTooLargeError,
  Pop3Client,
} from '@oauth-authorizer/mail-adapters';
import {
  type HostileImapBehaviour,
  type HostilePop3Behaviour,
  type HostileServer,
  startHostileImapServer,
  startHostilePop3Server,
} from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
/** Far above every limit under test, far below what would hurt the machine: without the fix the flood ends here and the test fails. */
const FLOOD_LIMIT = 256 * MiB;

const servers: HostileServer[] = [];
const clients: Pop3Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function pop3Server(behaviour: HostilePop3Behaviour): Promise<HostileServer> {
  const server = await startHostilePop3Server({ behaviour, floodLimit: FLOOD_LIMIT });
  servers.push(server);
  return server;
}

async function imapServer(behaviour: HostileImapBehaviour): Promise<HostileServer> {
  const server = await startHostileImapServer({ behaviour, floodLimit: FLOOD_LIMIT });
  servers.push(server);
  return server;
}

async function pop3(server: HostileServer, options: Partial<Parameters<typeof Pop3Client.connect>[0]> = {}) {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: server.port, tls: 'none', ...options });
  clients.push(client);
  return client;
}

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the client accepted an endless reply'),
    (error: unknown) => error,
  );

const source = { getAccessToken: async () => 'hostile-test-token' };

function expectTooLarge(error: unknown, option: string, limit: number): void {
  expect(error).toBeInstanceOf(MailResponseTooLargeError);
  expect(error).toMatchObject({ code: MAIL_RESPONSE_TOO_LARGE, option, limit });
  expect((error as Error).message).toContain(`${limit} bytes (${option})`);
}

describe('POP3 client against a hostile server', () => {
  it('stops an endless CAPA (sent before login) at 1 MiB and closes the connection', async () => {
    const server = await pop3Server('endless-capa');
    const error = await fail(
      connectPop3(source, { user: 'me@example.com', host: '127.0.0.1', port: server.port, tls: 'none' }),
    );
    expectTooLarge(error, 'maxResponseSize', MiB);
    expect(server.floodedBytes).toBeLessThan(32 * MiB);
  });

  it('stops an endless LIST at the configured maxResponseSize, and the client is closed after it', async () => {
    const server = await pop3Server('endless-list');
    const client = await pop3(server, { maxResponseSize: 4096 });
    expectTooLarge(await fail(client.list()), 'maxResponseSize', 4096);
    expect(client.closed).toBe(true);
  });

  it('stops an endless UIDL at 1 MiB', async () => {
    const server = await pop3Server('endless-uidl');
    const client = await pop3(server);
    expectTooLarge(await fail(client.uidl()), 'maxResponseSize', MiB);
    expect(server.floodedBytes).toBeLessThan(32 * MiB);
  });

  it('stops retrieveMessage() on an endless RETR at 64 MiB by default', async () => {
    const server = await pop3Server('endless-retr');
    const client = await pop3(server);
    expectTooLarge(await fail(client.retrieveMessage(1)), 'maxMessageSize', 64 * MiB);
    expect(client.closed).toBe(true);
    expect(server.floodedBytes).toBeLessThan(128 * MiB);
  });

  it('takes maxMessageSize from the call before the connection', async () => {
    const server = await pop3Server('endless-retr');
    const client = await pop3(server, { maxMessageSize: 8 * MiB });
    expectTooLarge(await fail(client.retrieveMessage(1, { maxMessageSize: MiB })), 'maxMessageSize', MiB);
  });

  it('leaves the streaming retrieve() without a limit', async () => {
    const server = await pop3Server('endless-retr');
    const client = await pop3(server, { maxMessageSize: MiB });
    const stream = await client.retrieve(1);
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > 4 * MiB) break;
    }
    expect(size).toBeGreaterThan(4 * MiB);
  });

  it('stops one endless line in the command phase at maxLineLength', async () => {
    const server = await pop3Server('endless-line');
    const error = await fail(
      connectPop3(source, { user: 'me@example.com', host: '127.0.0.1', port: server.port, tls: 'none' }),
    );
    expect(error).toMatchObject({ code: MAIL_PROTOCOL_ERROR });
    expect((error as Error).message).toContain(`longer than ${MiB} bytes`);
    expect(server.floodedBytes).toBeLessThan(32 * MiB);
  });

  it('refuses limits that are not positive integers or Infinity', async () => {
    const server = await pop3Server('endless-list');
    await expect(pop3(server, { maxResponseSize: 0 })).rejects.toThrow(TypeError);
    await expect(pop3(server, { maxMessageSize: 1.5 })).rejects.toThrow(TypeError);
    const client = await pop3(server, { maxResponseSize: Number.POSITIVE_INFINITY });
    await expect(client.retrieveMessage(1, { maxMessageSize: -1 })).rejects.toThrow(TypeError);
  });
});

describe('imapflow through connectImapFlow() against a hostile server', () => {
  const connect = (server: HostileServer, options: Record<string, unknown> = {}) =>
    fail(
      connectImapFlow(source, {
        user: 'me@example.com',
        host: '127.0.0.1',
        port: server.port,
        tls: 'none',
        ...options,
      }),
    );

  it('stops an endless line at 4 MiB instead of imapflow’s 1 GiB', async () => {
    const server = await imapServer('endless-line');
    const error = await connect(server);
    expect(error).toMatchObject({ code: MAIL_PROTOCOL_ERROR });
    expect((error as Error).message).toContain(`${4 * MiB} bytes (maxLineLength)`);
    expect(server.floodedBytes).toBeLessThan(64 * MiB);
  });

  it('lets the caller set maxLineLength', async () => {
    const server = await imapServer('endless-line');
    const error = await connect(server, { maxLineLength: 64 * 1024 });
    expect((error as Error).message).toContain(`${64 * 1024} bytes (maxLineLength)`);
  });

  it('refuses a 1 GiB literal (imapflow’s own limit would take it) at 64 MiB', async () => {
    const server = await imapServer('huge-literal');
    expectTooLarge(await connect(server), 'maxLiteralSize', 64 * MiB);
    expect(server.floodedBytes).toBeLessThan(64 * MiB);
  });
});
