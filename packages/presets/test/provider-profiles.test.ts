/**
 * The built-in presets against their providers' profiles (tools/test-servers/src/profiles): each
 * profile enforces a rule the real provider has, and the preset must get through it.
 */
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  OAuthResponseError,
  type ProviderConfig,
  pollDeviceAuthorization,
  refreshTokens,
  startDeviceAuthorization,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import {
  aol,
  explainProviderError,
  github,
  google,
  mailru,
  microsoft,
  PRESET_REQUEST_REJECTED,
  type Preset,
  PresetError,
  parametersFromRedirect,
  resolvePreset,
  yahoo,
  yandex,
  zoho,
} from '@oauth-authorizer/presets';
import { afterEach, describe, expect, it } from 'vitest';
import { startExactRedirectProfile } from '../../../tools/test-servers/src/profiles/exact-redirect.js';
import { startGithubProfile } from '../../../tools/test-servers/src/profiles/github.js';
import { startGoogleProfile } from '../../../tools/test-servers/src/profiles/google.js';
import { startMicrosoftProfile } from '../../../tools/test-servers/src/profiles/microsoft.js';
import {
  localEndpoint,
  type ProfileServer,
} from '../../../tools/test-servers/src/profiles/profile-server.js';
import { startZohoProfile } from '../../../tools/test-servers/src/profiles/zoho.js';

const client = { clientId: 'profile-client', clientSecret: 'profile-secret-0123456789' };
const servers: ProfileServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function started(server: Promise<ProfileServer>): Promise<ProfileServer> {
  const running = await server;
  servers.push(running);
  return running;
}

/** The preset's provider with its endpoints moved onto the profile server (same hosts and paths). */
function onProfile(provider: ProviderConfig, server: ProfileServer): ProviderConfig {
  return {
    ...provider,
    ...(provider.authorizationUrl && { authorizationUrl: localEndpoint(server, provider.authorizationUrl) }),
    ...(provider.tokenUrl && { tokenUrl: localEndpoint(server, provider.tokenUrl) }),
    ...(provider.deviceAuthorizationUrl && {
      deviceAuthorizationUrl: localEndpoint(server, provider.deviceAuthorizationUrl),
    }),
  };
}

/**
 * What a browser does with the authorization URL: the profile approves at once and redirects, or
 * shows an error page. The redirect's URL is what a listener on `redirectUri` would receive.
 */
async function authorize(provider: ProviderConfig, redirectUri: string) {
  const request = createAuthorizationRequest(provider, { redirectUri });
  const response = await fetch(request.url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null)
    return { refused: { status: response.status, page: await response.text() } } as const;
  const callback = new URL(location);
  return { request, callback, response: validateAuthorizationResponse(provider, request, callback) } as const;
}

describe.each([
  ['yahoo', yahoo],
  ['aol', aol],
  ['yandex', yandex],
  ['mailru', mailru],
] as const)('%s against a profile that matches redirects exactly', (id, preset: Preset) => {
  it(`${id}: the preset's fixed redirect gets through, and refreshes work; another port is refused`, async () => {
    const resolved = resolvePreset(preset, client);
    const registered = resolved.registerRedirectUrl as string;
    const server = await started(startExactRedirectProfile(id, { ...client, redirectUris: [registered] }));
    const provider = onProfile(resolved.provider, server);
    const flow = await authorize(provider, resolved.redirectUrl as string);
    if (flow.refused) throw new Error(flow.refused.page);
    const tokens = await exchangeAuthorizationCode(provider, flow.request, flow.response);
    expect(tokens.refreshToken).toBeDefined();
    const refreshed = await refreshTokens(provider, tokens.refreshToken as string);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);

    // What the CLI would do without the preset's port: listen on any free port. The provider refuses.
    const anyPort = new URL(registered);
    anyPort.port = '49152';
    const refused = await authorize(provider, anyPort.href);
    expect(refused.refused?.status).toBe(400);
    expect(refused.refused?.page).toContain('redirect_uri mismatch');
  });
});

describe('zoho against its multi-DC profile', () => {
  it("takes the data centre from the redirect's location, and exchanges the code there", async () => {
    const resolved = resolvePreset(zoho, client);
    const server = await started(
      startZohoProfile({ ...client, redirectUris: [resolved.registerRedirectUrl as string] }, 'eu'),
    );
    const provider = onProfile(resolved.provider, server);
    expect(provider.authorizationUrl).toContain('/accounts.zoho.com/');
    const flow = await authorize(provider, resolved.redirectUrl as string);
    if (flow.refused) throw new Error(flow.refused.page);
    expect(flow.callback.searchParams.get('location')).toBe('eu');

    // In the data centre the authorization started from, the code is unknown: Zoho says so with status 200.
    const wrong = await exchangeAuthorizationCode(provider, flow.request, flow.response).catch(
      (error) => error,
    );
    expect(wrong).toBeInstanceOf(OAuthResponseError);
    expect((wrong as OAuthResponseError).error).toBe('invalid_code');
    expect(explainProviderError('zoho', wrong)?.code).toBe('invalid_code');

    const implied = parametersFromRedirect(zoho, flow.callback);
    expect(implied).toEqual({ dataCenter: 'eu' });
    const inEu = onProfile(resolvePreset(zoho, { ...client, parameters: implied }).provider, server);
    expect(inEu.tokenUrl).toContain('/accounts.zoho.eu/');
    // A fresh authorization: the failed exchange above does not use up the code at the profile.
    const again = await authorize(provider, resolved.redirectUrl as string);
    if (again.refused) throw new Error(again.refused.page);
    const tokens = await exchangeAuthorizationCode(inEu, again.request, again.response);
    expect(tokens.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(server.tokenRequests.at(-1)).toEqual({
      grantType: 'authorization_code',
      host: 'accounts.zoho.eu',
    });
  });
});

describe('github against its profile', () => {
  it("gets JSON only thanks to the preset's Accept header, and reads errors sent with status 200", async () => {
    const resolved = resolvePreset(github, { ...client, flow: 'code' });
    const server = await started(
      startGithubProfile({ ...client, redirectUris: ['http://127.0.0.1/callback'] }),
    );
    const provider = onProfile(resolved.provider, server);
    const redirect = 'http://127.0.0.1:50123/callback';

    const flow = await authorize(provider, redirect);
    if (flow.refused) throw new Error(flow.refused.page);
    const tokens = await exchangeAuthorizationCode(provider, flow.request, flow.response);
    expect(tokens.tokenType.toLowerCase()).toBe('bearer');

    expect(provider.tokenHeaders).toEqual({ Accept: 'application/json' });
    // The profile's rule, seen from a bare request: without that header GitHub answers in form encoding.
    const formFlow = await authorize(provider, redirect);
    if (formFlow.refused) throw new Error(formFlow.refused.page);
    const bare = await fetch(provider.tokenUrl as string, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: formFlow.response.code,
        redirect_uri: redirect,
        client_id: client.clientId,
        client_secret: client.clientSecret,
        code_verifier: formFlow.request.codeVerifier,
      }),
    });
    expect(bare.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(await bare.text()).get('token_type')).toBe('bearer');

    // A code used twice: GitHub's error, with status 200.
    const reused = await exchangeAuthorizationCode(provider, flow.request, flow.response).catch(
      (error) => error,
    );
    expect(reused).toBeInstanceOf(OAuthResponseError);
    expect(reused).toMatchObject({ error: 'bad_verification_code', status: 200 });
    expect(explainProviderError('github', reused)?.fix).toContain('authorize again');
  });
});

describe('microsoft against its profile', () => {
  it('a refresh token unused for 90 days fails with an AADSTS body, and the error is explained', async () => {
    const resolved = resolvePreset(microsoft, { clientId: client.clientId });
    const server = await started(
      startMicrosoftProfile({ clientId: client.clientId, redirectUris: ['http://localhost/'] }),
    );
    const provider = onProfile(resolved.provider, server);
    // Any port on http://localhost, as the app registration's Mobile and desktop platform allows.
    const flow = await authorize(provider, 'http://localhost:50124/');
    if (flow.refused) throw new Error(flow.refused.page);
    const tokens = await exchangeAuthorizationCode(provider, flow.request, flow.response);
    server.expireRefreshToken(tokens.refreshToken as string, {
      error: 'invalid_grant',
      description:
        'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-09-01 and was inactive for 90.00:00:00.',
    });
    const error = await refreshTokens(provider, tokens.refreshToken as string).catch((caught) => caught);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect((error as OAuthResponseError).errorDescription).toMatch(
      /^AADSTS700082: .* Trace ID: [0-9a-f-]{36} Correlation ID: /,
    );
    expect(explainProviderError('microsoft', error)).toMatchObject({
      code: 'AADSTS700082',
      explanation: 'The refresh token expired because it was not used for 90 days.',
    });
    // And a redirect on another host is not accepted, whatever the port.
    const refused = await authorize(provider, 'http://127.0.0.2:50124/');
    expect(refused.refused?.status).toBe(400);
  });
});

describe('google against its profile', () => {
  it('the code flow with the Gmail scope works; the device flow refuses it, and the preset refuses first', async () => {
    const server = await started(
      startGoogleProfile({ ...client, redirectUris: ['http://127.0.0.1/callback'] }),
    );
    const resolved = resolvePreset(google, client);
    const provider = onProfile(resolved.provider, server);
    const flow = await authorize(provider, 'http://127.0.0.1:50125/callback');
    if (flow.refused) throw new Error(flow.refused.page);
    expect((await exchangeAuthorizationCode(provider, flow.request, flow.response)).scope).toBe(
      'https://mail.google.com/',
    );

    // The preset does not even ask: Google's answer is known.
    const before = server.tokenRequests.length;
    const rejected = (() => {
      try {
        resolvePreset(google, { ...client, flow: 'device' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(rejected).toBeInstanceOf(PresetError);
    expect((rejected as PresetError).code).toBe(PRESET_REQUEST_REJECTED);
    // Asked anyway (the provider configuration used directly), the profile answers as Google does.
    const gmailInDevice = await startDeviceAuthorization(provider).catch((error) => error);
    expect(gmailInDevice).toMatchObject({ error: 'invalid_scope' });
    expect(explainProviderError('google', gmailInDevice, { flow: 'device' })?.fix).toContain('--flow code');
    expect(server.tokenRequests.length).toBe(before);

    // With scopes the device flow allows, the same preset's device flow works.
    const device = onProfile(
      resolvePreset(google, { ...client, flow: 'device', scopes: ['openid', 'email'] }).provider,
      server,
    );
    const authorization = await startDeviceAuthorization(device);
    const tokens = await pollDeviceAuthorization(device, authorization);
    expect(tokens.accessToken).toMatch(/^[0-9a-f]{32}$/);
  });
});
