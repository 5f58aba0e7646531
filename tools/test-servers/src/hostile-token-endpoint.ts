import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';

/** One request the hostile endpoint received. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw request body (a form for token requests). */
  body: string;
}

/** What the hostile endpoint answers: a status, headers, and a body (an object is sent as JSON). */
export interface HostileAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
}

/** A running hostile token endpoint on 127.0.0.1. */
export interface HostileTokenEndpoint {
  /** `http://127.0.0.1:<port>` (no path: any path is answered the same way). */
  url: string;
  /** Every request so far. */
  requests: HostileRequest[];
  close(): Promise<void>;
}

/**
 * A token endpoint that misbehaves on purpose: each request is answered by `answer`, which sees
 * the whole request. For tests of what core does with absurd lifetimes, unusable tokens, and
 * servers that echo the client's secrets back (see {@link echoRequestAnswer}).
 *
 * @example
 * ```ts
 * const server = await startHostileTokenEndpoint(() => ({ body: { access_token: 'a', expires_in: 1e20 } }));
 * try { … } finally { await server.close(); }
 * ```
 */
export async function startHostileTokenEndpoint(
  answer: (request: HostileRequest) => HostileAnswer,
): Promise<HostileTokenEndpoint> {
  const requests: HostileRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: HostileRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const reply = answer(request);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, {
        'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('hostile endpoint: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An OAuth error whose `error_description` (and `error_uri`) repeat the whole request: every
 * header (the `Basic` credentials too) and the raw form body, as a careless server's debug
 * output would.
 */
export function echoRequestAnswer(request: HostileRequest, status = 400): HostileAnswer {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('; ');
  return {
    status,
    body: {
      error: 'invalid_client',
      error_description: `bad request ${request.method} ${request.path} headers={${headers}} body={${request.body}} decoded={${decodeURIComponent(request.body.replace(/\+/g, ' '))}}`,
      error_uri: `https://errors.example.test/?echo=${encodeURIComponent(request.body)}`,
    },
  };
}
