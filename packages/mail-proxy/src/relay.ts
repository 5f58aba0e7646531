import type { Socket } from 'node:net';
import type { Duplex, Transform } from 'node:stream';

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
 * Passes bytes both ways between the logged-in client and the upstream server until either side
 * closes, streamed with back-pressure (`pipe`): nothing is buffered whole, whatever the size of a
 * message, literal or FETCH. Bytes either side sent ahead during the login (`clientRest`,
 * `serverRest`) go first. Closed after `idleTimeoutMs` without a byte in either direction.
 * `toClient`, when given, is a stream every byte from the server passes through (IMAP's
 * capability filter).
 */
export function relay(
  client: Duplex,
  clientRest: Buffer,
  server: Duplex,
  serverRest: Buffer,
  idleTimeoutMs: number,
  toClient?: Transform,
): Promise<RelayResult> {
  return new Promise((resolve) => {
    let bytesFromClient = clientRest.length;
    let bytesToClient = serverRest.length;
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
    server.on('data', (chunk: Buffer) => {
      bytesToClient += chunk.length;
      touch();
    });
    client.once('end', () => finish('client'));
    server.once('end', () => finish('server'));
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
    // With a filter in between, the client's end comes through the filter, after its last bytes.
    server.once('close', onClose(toClient ?? client));
    // Commands and replies are small writes answered by the other side: Nagle's algorithm would
    // hold some of them back for a delayed ACK (up to 40 ms each) on every hop through the proxy.
    for (const socket of [client, server]) (socket as Partial<Socket>).setNoDelay?.(true);
    const downstream = toClient ?? client;
    if (toClient !== undefined) toClient.pipe(client);
    if (serverRest.length > 0) downstream.write(serverRest);
    if (clientRest.length > 0) server.write(clientRest);
    client.pipe(server);
    server.pipe(downstream);
  });
}
