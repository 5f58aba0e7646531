import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { UpstreamSession } from './upstream-channel.js';

/** What passed through a relayed session. */
export interface RelayResult {
  /** Bytes from the client to the server. */
  bytesFromClient: number;
  /** Bytes from the server to the client. */
  bytesToClient: number;
  /** Why it ended: one side closed, the idle timeout, or an error on either side. */
  ended: 'client' | 'server' | 'idle' | 'error';
}

/**
 * What every byte from the server passes through on its way to the client (IMAP's capability
 * filter). It runs synchronously on each read and must copy anything it keeps for later: the
 * read's buffer is reused once its bytes are written.
 */
export interface ServerBytesFilter {
  /** The bytes to send for this read, in order (views of `chunk`, or new buffers). */
  filter(chunk: Buffer): Buffer[];
  /** What it still holds when the server has closed. */
  flush(): Buffer | undefined;
}

/**
 * Passes bytes both ways between the logged-in client and the upstream server until either side
 * closes, streamed with back-pressure: nothing is buffered whole, whatever the size of a message,
 * literal or FETCH. The client's bytes are piped to the server; the server's come from its
 * reads (reused buffers, see upstream-reads.ts), through `toClient` when given, and the server
 * is paused while the client's socket is full. Bytes either side sent ahead during the login
 * (`clientRest`, `upstream.rest`) go first. Closed after `idleTimeoutMs` without a byte in either
 * direction.
 */
export function relay(
  client: Duplex,
  clientRest: Buffer,
  upstream: UpstreamSession,
  idleTimeoutMs: number,
  toClient?: ServerBytesFilter,
): Promise<RelayResult> {
  const server = upstream.socket;
  return new Promise((resolve) => {
    let bytesFromClient = clientRest.length;
    let bytesToClient = 0; // the login's read-ahead counts as it goes through below
    let ended: RelayResult['ended'] | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (why: RelayResult['ended']) => {
      ended ??= why;
    };
    const touch = () => {
      if (timer !== undefined) timer.refresh();
    };
    if (idleTimeoutMs > 0) {
      timer = setTimeout(() => {
        finish('idle');
        client.destroy();
        server.destroy();
      }, idleTimeoutMs);
      timer.unref();
    }
    client.on('data', (chunk: Buffer) => {
      bytesFromClient += chunk.length;
      touch();
    });
    client.once('end', () => finish('client'));
    server.once('end', () => {
      finish('server');
      const held = toClient?.flush();
      if (held !== undefined) client.write(held);
      client.end();
    });
    const onError = () => {
      finish('error');
      client.destroy();
      server.destroy();
    };
    client.on('error', onError);
    server.on('error', onError);
    let open = 2;
    const onClose = (other: Duplex) => () => {
      open -= 1;
      // The other side gets what is queued for it, then an end; one that never closes its half
      // must not keep the session open for ever.
      other.end();
      setTimeout(() => other.destroy(), 5_000).unref();
      if (open === 0) {
        if (timer !== undefined) clearTimeout(timer);
        resolve({ bytesFromClient, bytesToClient, ended: ended ?? 'error' });
      }
    };
    client.once('close', onClose(server));
    server.once('close', onClose(client));
    // Commands and replies are small writes answered by the other side: Nagle's algorithm would
    // hold some of them back for a delayed ACK (up to 40 ms each) on every hop through the proxy.
    for (const socket of [client, server]) (socket as Partial<Socket>).setNoDelay?.(true);
    let waitingForDrain = false;
    const resumeServer = () => {
      waitingForDrain = false;
      server.resume();
    };
    const toClientBytes = (chunk: Buffer, done: () => void) => {
      bytesToClient += chunk.length;
      touch();
      const pieces = toClient === undefined ? [chunk] : toClient.filter(chunk);
      if (pieces.length === 0 || client.destroyed) return done();
      let room = true;
      client.cork();
      pieces.forEach((piece, index) => {
        room = client.write(piece, index === pieces.length - 1 ? done : undefined);
      });
      client.uncork();
      if (!room && !waitingForDrain) {
        waitingForDrain = true;
        server.pause();
        client.once('drain', resumeServer);
      }
    };
    if (upstream.rest.length > 0) toClientBytes(upstream.rest, () => undefined);
    if (clientRest.length > 0) server.write(clientRest);
    client.pipe(server);
    upstream.reads.relayTo(server, toClientBytes);
  });
}
