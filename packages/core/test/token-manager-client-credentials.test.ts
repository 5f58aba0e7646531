import { join } from 'node:path';
import {
  type AuthorizerError,
  FileTokenStore,
  MemoryTokenStore,
  OAUTH_ERROR_RESPONSE,
  OAUTH_INVALID_CONFIGURATION,
  type ProviderConfig,
  type RefreshAttempt,
  TokenManager,
} from '@oauth-authorizer/core';
import { clients, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from './authorization-server-fixture.js';
import { rejection } from './token-fixtures.js';

// App-only access (Microsoft 365 SMTP/IMAP for a service, say): the client's own credentials get
// every token, against a real oidc-provider with a client that may use only that grant.

const PROCESSES = 8;
const CALLS_PER_PROCESS = 50;

const fixture = useAuthorizationServer('token-manager-client-credentials-');

function serviceProvider(secret: string = clients.service.clientSecret): ProviderConfig {
  return { ...nativeProvider(fixture.server), clientId: clients.service.clientId, clientSecret: secret };
}

function serviceManager(account: string, store: MemoryTokenStore | FileTokenStore, secret?: string) {
  return new TokenManager({
    account,
    store,
    provider: serviceProvider(secret),
    grant: 'client_credentials',
    scopes: ['mail'],
  });
}

describe('TokenManager with the client credentials grant', () => {
  it('gets the first token of an account not in the store with one request for 1,000 concurrent calls, and stores it', async () => {
    const { server } = fixture;
    const account = 'service-first';
    const store = new MemoryTokenStore();
    const manager = serviceManager(account, store);
    const events: RefreshAttempt[] = [];
    manager.on('refresh', (attempt) => events.push(attempt));
    const before = server.countTokenRequests('client_credentials');

    const results = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));

    expect(server.countTokenRequests('client_credentials') - before).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(await server.introspect(results[0] as string)).toMatchObject({
      active: true,
      client_id: clients.service.clientId,
    });
    const stored = await store.get(account);
    expect(stored?.tokens?.accessToken).toBe(results[0]);
    expect(stored?.tokens?.refreshToken).toBeUndefined();
    expect(events).toMatchObject([{ account, attempt: 1, ok: true }]);
  });

  it('replaces an expired token with a new one, keeps the settings stored with the account, and forces a new one on request', async () => {
    const { server } = fixture;
    const account = 'service-expired';
    const first = await serviceManager('service-seed', new MemoryTokenStore()).getTokenSet();
    const settings = { preset: 'custom' };
    const store = new MemoryTokenStore([{ account, tokens: expiredTokens(first), settings }]);
    const manager = serviceManager(account, store);
    const before = server.countTokenRequests('client_credentials');

    const renewed = await manager.getAccessToken();
    expect(renewed).not.toBe(first.accessToken);
    expect(await manager.getAccessToken()).toBe(renewed);
    const forced = await manager.getAccessToken({ forceRefresh: true });
    expect(forced).not.toBe(renewed);

    expect(server.countTokenRequests('client_credentials') - before).toBe(2);
    expect(await store.get(account)).toMatchObject({ account, settings, tokens: { accessToken: forced } });
    expect((await server.introspect(forced)).active).toBe(true);
  });

  it(`sends exactly one token request for ${PROCESSES} processes × ${CALLS_PER_PROCESS} concurrent calls on an empty file store`, async () => {
    const { server, root } = fixture;
    const account = 'service-processes';
    const directory = join(root, 'processes');
    const before = server.countTokenRequests('client_credentials');
    const outputs = await fixture.runConcurrentWorkers(PROCESSES, [
      directory,
      account,
      server.endpoints.token,
      clients.service.clientId,
      String(CALLS_PER_PROCESS),
      clients.service.clientSecret,
    ]);

    expect(server.countTokenRequests('client_credentials') - before).toBe(1);
    const tokens = new Set(outputs.flat());
    const stored = (await new FileTokenStore({ directory }).get(account))?.tokens;
    expect(tokens).toEqual(new Set([stored?.accessToken]));
    expect((await server.introspect(stored?.accessToken as string)).active).toBe(true);
  });

  it('reports a wrong client secret as the server\'s invalid_client, not as "authorization required", and keeps the stored token', async () => {
    const { server } = fixture;
    const account = 'service-wrong-secret';
    const first = await serviceManager('service-seed-2', new MemoryTokenStore()).getTokenSet();
    const store = new MemoryTokenStore([{ account, tokens: expiredTokens(first) }]);
    const wrongSecret = 'not-the-service-secret-0123456789';
    const manager = serviceManager(account, store, wrongSecret);
    const required: AuthorizerError[] = [];
    manager.on('authorization-required', (error) => required.push(error));

    const error = await rejection(manager.getAccessToken());

    expect(error).toMatchObject({ code: OAUTH_ERROR_RESPONSE, error: 'invalid_client', transient: false });
    expect(error.message).not.toContain(wrongSecret);
    expect(error.message).not.toContain(first.accessToken);
    expect(server.tokenRequests.at(-1)).toMatchObject({
      grantType: 'client_credentials',
      error: 'invalid_client',
    });
    expect(required).toEqual([]);
    const record = await store.get(account);
    expect(record?.tokens?.accessToken).toBe(first.accessToken);
    expect(record?.authorizationRequired).toBeUndefined();
  });

  it('refuses to ask without a client secret: OAUTH_INVALID_CONFIGURATION, and no request is sent', async () => {
    const { server } = fixture;
    const { clientSecret: _none, ...publicProvider } = serviceProvider();
    const manager = new TokenManager({
      account: 'service-no-secret',
      store: new MemoryTokenStore(),
      provider: publicProvider,
      grant: 'client_credentials',
    });
    const before = server.countTokenRequests();
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_INVALID_CONFIGURATION);
    expect(server.countTokenRequests()).toBe(before);
  });

  it('refuses an unknown grant at construction with a TypeError', () => {
    expect(
      () =>
        new TokenManager({
          account: 'a',
          store: new MemoryTokenStore(),
          provider: serviceProvider(),
          grant: 'password' as 'client_credentials',
        }),
    ).toThrow(TypeError);
  });
});
