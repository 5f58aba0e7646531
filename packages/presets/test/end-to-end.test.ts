import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  pollDeviceAuthorization,
  refreshTokens,
  revokeToken,
  startDeviceAuthorization,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import { loadPreset, type Preset, resolvePreset } from '@oauth-authorizer/presets';
import {
  type AuthorizationServer,
  approveDeviceCode,
  clients,
  signIn,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: AuthorizationServer;
let directory: string;
let preset: Preset;

beforeAll(async () => {
  // An interval of 1 s keeps the device flow quick; oidc-provider announces none by itself.
  server = await startAuthorizationServer({ deviceInterval: 1 });
  directory = await mkdtemp(join(tmpdir(), 'presets-e2e-'));
  // The product spec's example, field for field, with its endpoints moved to the test server.
  const example = JSON.parse(
    await readFile(new URL('./fixtures/acme.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const file = {
    ...example,
    authorizationUrl: server.endpoints.authorization,
    deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
  };
  expect(Object.keys(file)).toEqual(Object.keys(example));
  await writeFile(join(directory, 'acme.json'), JSON.stringify(file, null, 2));
  preset = await loadPreset('./acme.json', { cwd: directory });
});

afterAll(async () => {
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('a preset loaded from a JSON file against a real authorization server', () => {
  it('runs the authorization code flow, then refreshes and revokes with the same preset', async () => {
    const resolved = resolvePreset(preset, { clientId: clients.native.clientId });
    expect(resolved.flow).toBe('code');
    expect(resolved.provider.clientAuth).toBe('none');
    // The listener would report the port it got; the server accepts any port on a loopback redirect.
    const redirect = new URL(resolved.redirectUrl as string);
    redirect.port = '49731';
    const request = createAuthorizationRequest(resolved.provider, { redirectUri: redirect.href });
    expect(new URL(request.url).searchParams.get('scope')).toBe('openid offline_access mail');

    const callback = await signIn(request.url, { login: 'alice@acme.example' });
    const response = validateAuthorizationResponse(resolved.provider, request, callback);
    const tokens = await exchangeAuthorizationCode(resolved.provider, request, response);
    expect(tokens.refreshToken).toBeDefined();
    const introspection = await server.introspect(tokens.accessToken);
    expect(introspection).toMatchObject({ active: true, email: 'alice@acme.example' });
    expect(String(introspection.scope).split(' ')).toContain('mail');

    const refreshed = await refreshTokens(resolved.provider, tokens.refreshToken as string);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect((await server.introspect(refreshed.accessToken)).active).toBe(true);

    await revokeToken(resolved.provider, refreshed.refreshToken as string, {
      tokenTypeHint: 'refresh_token',
    });
    expect((await server.introspect(refreshed.refreshToken as string)).active).toBe(false);
    expect(resolved.mail?.imap).toEqual({ host: 'imap.acme.example', port: 993, tls: 'implicit' });
  });

  it('runs the device flow, with the user approving on the verification page', async () => {
    const resolved = resolvePreset(preset, { clientId: clients.native.clientId, flow: 'device' });
    expect(resolved.redirectUrl).toBeUndefined();
    const authorization = await startDeviceAuthorization(resolved.provider);
    expect(authorization.interval).toBe(1);
    const approval = approveDeviceCode(authorization.verificationUri, authorization.userCode, {
      login: 'bob@acme.example',
    });
    const tokens = await pollDeviceAuthorization(resolved.provider, authorization);
    await approval;
    expect(tokens.refreshToken).toBeDefined();
    expect(await server.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      email: 'bob@acme.example',
    });
    expect(server.countTokenRequests('urn:ietf:params:oauth:grant-type:device_code')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('authenticates a confidential client the way the user chose, on the same preset', async () => {
    const resolved = resolvePreset(preset, {
      clientId: clients.post.clientId,
      clientSecret: clients.post.clientSecret,
      clientAuth: 'client_secret_post',
      flow: 'device',
    });
    const authorization = await startDeviceAuthorization(resolved.provider);
    const approval = approveDeviceCode(authorization.verificationUri, authorization.userCode, {
      login: 'carol@acme.example',
    });
    const tokens = await pollDeviceAuthorization(resolved.provider, authorization);
    await approval;
    expect(await server.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      email: 'carol@acme.example',
    });
  });
});
