/**
 * A tiny OAuth-protected HTTP API on 127.0.0.1, for the call-api test: it checks each bearer token
 * by introspection at the test authorization server (RFC 7662), as a resource server does, and
 * answers 401 with an RFC 6750 challenge when the token is not active or lacks the `mail` scope.
 *
 * - `GET /me`: who the token belongs to.
 * - `POST /notes`: echoes the JSON body it got, with its author.
 * - `GET /elsewhere`: an API that trusts another authorization server: rejects every token.
 * - `GET /broken`: always 503.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthorizationServer } from '@oauth-authorizer/test-servers';

/** One request the API answered; the token itself is not kept. */
export interface ApiRequestRecord {
  method: string;
  path: string;
  /** Whether the bearer token was active at the authorization server. */
  active: boolean;
  body: string;
  status: number;
}

/** A running protected API. */
export interface ProtectedApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ApiRequestRecord[];
  close(): Promise<void>;
}

const INVALID_TOKEN =
  'Bearer realm="notes", error="invalid_token", error_description="The access token is not valid"';

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  request.setEncoding('utf8');
  for await (const chunk of request) body += chunk;
  return body;
}

function json(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(value));
}

/** Starts the API, checking tokens at `server`. */
export async function startProtectedApi(server: AuthorizationServer): Promise<ProtectedApi> {
  const requests: ApiRequestRecord[] = [];
  const api = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const body = await readBody(request);
    const token = /^Bearer ([^\s]+)$/.exec(request.headers.authorization ?? '')?.[1];
    const details = token ? await server.introspect(token) : { active: false };
    const scopes = typeof details.scope === 'string' ? details.scope.split(' ') : [];
    const active = details.active && scopes.includes('mail');
    const answer = (status: number, value: unknown, headers?: Record<string, string>) => {
      requests.push({ method: request.method ?? '', path, active, body, status });
      json(response, status, value, headers);
    };
    if (path === '/broken') return answer(503, { error: 'maintenance' });
    if (!active || path === '/elsewhere') {
      return answer(401, { error: 'invalid_token' }, { 'www-authenticate': INVALID_TOKEN });
    }
    if (path === '/me' && request.method === 'GET')
      return answer(200, { email: details.email, scope: details.scope });
    if (path === '/notes' && request.method === 'POST') {
      return answer(201, { saved: JSON.parse(body) as unknown, by: details.email });
    }
    return answer(404, { error: 'not_found' });
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  const { port } = api.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    },
  };
}
