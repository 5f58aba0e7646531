import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ListenerRequestEvent } from '../src/index.js';

/** What a test client saw. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  /** Sent instead of the URL's path and query (to send odd or oversized request targets). */
  path?: string;
  body?: string;
  agent?: Agent | false;
  /** Trusted CA (PEM) for https. */
  ca?: string;
  /** Connects to this address instead of resolving the URL's host (which still goes in `Host`). */
  address?: string;
}

/**
 * One request with Node's own HTTP client, so the tests control the method, the raw request target
 * and the connection (keep-alive agent or not).
 */
export function send(url: string, options: SendOptions = {}): Promise<ClientResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        protocol: target.protocol,
        hostname: options.address ?? target.hostname.replace(/^\[|\]$/g, ''),
        headers: { host: target.host },
        port: target.port,
        path: options.path ?? `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        ...(options.ca !== undefined && { ca: options.ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes on a fresh TCP connection and returns everything the server wrote until it closed. */
export function sendRaw(host: string, port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.end(data));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

/** Resolves with the rejection of `promise`, failing when it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

/** Records a listener's `onRequest` events and lets a test wait for one. */
export function watchRequests() {
  const events: ListenerRequestEvent[] = [];
  const waiters: Array<{ test: (event: ListenerRequestEvent) => boolean; resolve: () => void }> = [];
  return {
    events,
    onRequest(event: ListenerRequestEvent): void {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    /** Resolves once `count` events have had the outcome `outcome` in all. */
    until(outcome: ListenerRequestEvent['outcome'], count = 1): Promise<void> {
      const seen = () => events.filter((event) => event.outcome === outcome).length;
      if (seen() >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test: () => seen() >= count, resolve }));
    },
  };
}
