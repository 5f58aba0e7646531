/**
 * The relay's reused read buffers (upstream-reads.ts) against real TCP and TLS upstreams: a client
 * whose writes finish late and keep a reference to the bytes they were given, as a socket's
 * queued writes do, must still receive exactly what the server sent, while other connections read
 * into the process's read buffer meanwhile; a server's many small TLS records reach the client in
 * a few writes, the last of them before the end.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createSelfSignedCertificate } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { relay } from '../src/relay.js';
import type { UpstreamSession } from '../src/upstream-channel.js';
import { connectUpstream, type UpstreamTarget } from '../src/upstream-connection.js';
import { UpstreamReads } from '../src/upstream-reads.js';

/** What the server sends on connection `id`: 4 MB where every byte depends on the id and its offset. */
function payload(id: number): Buffer {
  const bytes = Buffer.alloc(4 * 1024 * 1024);
  for (let offset = 0; offset < bytes.length; offset++) bytes[offset] = (offset * 7 + id * 31) & 0xff;
  return bytes;
}

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((socket) => {
    socket.once('data', (hello: Buffer) => {
      const id = Number(hello.toString());
      socket.end(payload(id));
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * A client that keeps what each write gave it, taken when the write finishes: `finishAfterMs`
 * later (0: at once). A buffer reused before its write finished changes what a late client gets,
 * as a socket's queued write hands its bytes to the kernel only then.
 */
function recordingClient(finishAfterMs: number): {
  client: Duplex;
  received: Buffer[];
  mostQueued: () => number;
} {
  const received: Buffer[] = [];
  let mostQueued = 0;
  const client = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      mostQueued = Math.max(mostQueued, this.writableLength);
      const take = () => {
        received.push(Buffer.from(chunk));
        callback();
      };
      if (finishAfterMs === 0) take();
      else setTimeout(take, finishAfterMs);
    },
    final(callback) {
      this.push(null);
      callback();
    },
  });
  return { client, received, mostQueued: () => mostQueued };
}

/** An upstream connection as the proxy opens it (reads through `UpstreamReads`). */
async function openUpstream(target: UpstreamTarget): Promise<UpstreamSession> {
  const reads = new UpstreamReads();
  const socket = await connectUpstream(target, 10_000, reads);
  return { socket, reads, rest: Buffer.alloc(0), capabilities: [] };
}

async function relayedUpstream(id: number) {
  const upstream = await openUpstream({ host: '127.0.0.1', port, tls: 'none' });
  upstream.socket.write(String(id));
  const { client, received, mostQueued } = recordingClient(2);
  const result = await relay(client, Buffer.alloc(0), upstream, 0);
  return { result, received: Buffer.concat(received), mostQueued: mostQueued() };
}

it('hands a late writer exactly the bytes of its own connection, three connections at once, holding the server back', async () => {
  const runs = await Promise.all([1, 2, 3].map((id) => relayedUpstream(id)));
  runs.forEach(({ result, received, mostQueued }, index) => {
    const expected = payload(index + 1);
    expect(result.bytesToClient).toBe(expected.length);
    expect(received.equals(expected), `connection ${index + 1}`).toBe(true);
    // The server was held back while the client lagged: a read or two queued, not the 4 MB.
    expect(mostQueued).toBeLessThanOrEqual(192 * 1024);
  });
}, 60_000);

it('gathers the small TLS records one read brings into one write to the client, and sends the last before the end', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'relay-records-'));
  const { key, cert } = createSelfSignedCertificate(directory);
  const records = Array.from({ length: 400 }, (_, index) =>
    Buffer.from(`* ${index + 1} FETCH (UID ${index + 1})\r\n`),
  );
  // Each write is a TLS record of its own (the next is written once the last is sent: written at
  // once, Node would encrypt them together), and the server closes in the same turn as the last.
  const tlsServer = createTlsServer({ key, cert }, (socket) => {
    let sent = 0;
    const next = () => {
      if (sent < records.length) socket.write(records[sent++] as Buffer, next);
      else socket.end();
    };
    next();
  });
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  try {
    const upstream = await openUpstream({
      host: '127.0.0.1',
      port: (tlsServer.address() as AddressInfo).port,
      tls: 'implicit',
      ca: cert,
    });
    const { client, received: writes } = recordingClient(0);
    const result = await relay(client, Buffer.alloc(0), upstream, 0);
    expect(result.ended).toBe('server');
    expect(Buffer.concat(writes).equals(Buffer.concat(records))).toBe(true);
    // The server and the relay share this process: the records all arrived before the relay read.
    expect(writes.length).toBeLessThanOrEqual(4);
  } finally {
    await new Promise((resolve) => tlsServer.close(resolve));
    await rm(directory, { recursive: true, force: true });
  }
}, 60_000);
