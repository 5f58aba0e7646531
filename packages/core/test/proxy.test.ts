import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  type ProviderConfig,
  refreshTokens,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import {
  type AuthorizationServer,
  clients,
  signIn,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, expect, it } from 'vitest';

let server: AuthorizationServer;
let proxy: Server;
const tunnels: string[] = [];

beforeAll(async () => {
  server = await startAuthorizationServer();
  // A minimal CONNECT proxy, as corporate proxies are: it records where each tunnel goes.
  proxy = createServer();
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
});
afterAll(async () => {
  delete process.env.HTTP_PROXY;
  proxy?.closeAllConnections();
  proxy?.close();
  await server?.close();
});

it('token requests go through the proxy named by HTTP_PROXY/HTTPS_PROXY', async () => {
  const provider: ProviderConfig = {
    ...clients.native,
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    tokenUrl: server.endpoints.token,
    scopes: ['openid', 'offline_access', 'mail'],
  };
  const request = createAuthorizationRequest(provider, { redirectUri: 'http://127.0.0.1:9/callback' });
  const response = validateAuthorizationResponse(provider, request, await signIn(request.url));
  process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.env.NO_PROXY = '';
  const tokens = await exchangeAuthorizationCode(provider, request, response);
  await refreshTokens(provider, tokens.refreshToken!);
  expect(tunnels).toContain(`127.0.0.1:${server.port}`);
});
