/**
 * The CLI end to end against a provider profile (tools/test-servers/src/profiles): the Yandex
 * preset, its endpoints moved onto a profile that matches redirect URLs exactly, as Yandex does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { yandex, zoho } from '@oauth-authorizer/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExactRedirectProfile } from '../../../tools/test-servers/src/profiles/exact-redirect.js';
import {
  localEndpoint,
  type ProfileServer,
} from '../../../tools/test-servers/src/profiles/profile-server.js';
import { startZohoProfile } from '../../../tools/test-servers/src/profiles/zoho.js';
import { runCli } from './cli-process.js';

const client = { clientId: 'yandex-app', clientSecret: 'yandex-secret-0123456789' };
let directory: string;
let profile: ProfileServer;
let presetFile: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-profiles-'));
  profile = await startExactRedirectProfile('yandex', {
    ...client,
    redirectUris: [yandex.redirectUrl as string],
  });
  // The built-in preset field for field (a preset is a valid definition), on the profile's endpoints.
  const { hooks: _hooks, ...fields } = yandex;
  presetFile = join(directory, 'yandex-profile.json');
  await writeFile(
    presetFile,
    JSON.stringify({
      ...fields,
      id: 'yandex-profile',
      authorizationUrl: localEndpoint(profile, yandex.authorizationUrl as string),
      tokenUrl: localEndpoint(profile, yandex.tokenUrl as string),
    }),
  );
});

afterAll(async () => {
  await profile?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('the CLI against an exact-redirect profile', () => {
  it("authorizes on the preset's fixed port, then token and refresh work", async () => {
    const home = await mkdtemp(join(directory, 'home-'));
    const authorized = await runCli(
      [
        'authorize',
        'me@yandex.ru',
        '--preset',
        presetFile,
        '--client-id',
        client.clientId,
        '--client-secret',
        client.clientSecret,
        '--save-client-secret',
        '--json',
      ],
      { home },
    );
    expect(authorized.code, authorized.stderr).toBe(0);
    const tokens = JSON.parse(authorized.stdout) as { access_token: string; refresh_token: string };
    expect(tokens.refresh_token).toMatch(/^[0-9a-f]{32}$/);
    expect(profile.tokenRequests.at(-1)).toEqual({
      grantType: 'authorization_code',
      host: 'oauth.yandex.com',
    });

    const token = await runCli(['token', 'me@yandex.ru'], { home });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toBe(tokens.access_token);
    const refreshed = await runCli(['refresh', 'me@yandex.ru', '--json'], { home });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(profile.tokenRequests.at(-1)?.grantType).toBe('refresh_token');
  });

  it('a redirect URL without a port is refused before the browser opens: the provider could never match it', async () => {
    const home = await mkdtemp(join(directory, 'home-'));
    const before = profile.tokenRequests.length;
    const result = await runCli(
      [
        'authorize',
        'me@yandex.ru',
        '--preset',
        presetFile,
        '--client-id',
        client.clientId,
        '--client-secret',
        client.clientSecret,
        '--redirect-url',
        'http://127.0.0.1/callback',
      ],
      { home },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('must name its port');
    expect(profile.tokenRequests.length).toBe(before);
  });
});

describe('the CLI against the Zoho multi-DC profile', () => {
  it('without the data centre, takes it from the redirect (location=eu): the code is redeemed there, and refreshes go there', async () => {
    const zohoProfile = await startZohoProfile(
      { ...client, redirectUris: [zoho.redirectUrl as string] },
      'eu',
    );
    try {
      const { hooks: _hooks, ...fields } = zoho;
      const file = join(directory, 'zoho-profile-from-redirect.json');
      await writeFile(
        file,
        JSON.stringify({
          ...fields,
          id: 'zoho-profile',
          authorizationUrl: `${zohoProfile.url}/accounts.{dataCenter}/oauth/v2/auth`,
          tokenUrl: `${zohoProfile.url}/accounts.{dataCenter}/oauth/v2/token`,
        }),
      );
      const home = await mkdtemp(join(directory, 'home-'));
      const result = await runCli(
        [
          'authorize',
          'me@example.eu',
          '--preset',
          file,
          '--client-id',
          client.clientId,
          '--client-secret',
          client.clientSecret,
          '--save-client-secret',
          '--json',
        ],
        { home },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('dataCenter=eu: redeeming the code there');
      // Signed in at the default data centre, redeemed where the account lives.
      expect(zohoProfile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'accounts.zoho.eu' },
      ]);
      const shown = JSON.parse((await runCli(['show', 'me@example.eu', '--json'], { home })).stdout) as {
        settings: { parameters?: Record<string, string> };
      };
      expect(shown.settings.parameters).toMatchObject({ dataCenter: 'eu' });
      const refreshed = await runCli(['refresh', 'me@example.eu'], { home });
      expect(refreshed.code, refreshed.stderr).toBe(0);
      expect(zohoProfile.tokenRequests.at(-1)).toEqual({
        grantType: 'refresh_token',
        host: 'accounts.zoho.eu',
      });
    } finally {
      await zohoProfile.close();
    }
  });

  it('with the data centre of the account, authorize exchanges the code there; refresh goes there too', async () => {
    const zohoProfile = await startZohoProfile(
      { ...client, redirectUris: [zoho.redirectUrl as string] },
      'eu',
    );
    try {
      const { hooks: _hooks, ...fields } = zoho;
      const file = join(directory, 'zoho-profile.json');
      // Templated endpoints keep their {dataCenter} placeholder: only the host part moves.
      await writeFile(
        file,
        JSON.stringify({
          ...fields,
          id: 'zoho-profile',
          authorizationUrl: `${zohoProfile.url}/accounts.{dataCenter}/oauth/v2/auth`,
          tokenUrl: `${zohoProfile.url}/accounts.{dataCenter}/oauth/v2/token`,
        }),
      );
      const home = await mkdtemp(join(directory, 'home-'));
      const result = await runCli(
        [
          'authorize',
          'me@zoho.eu',
          '--preset',
          file,
          '--param',
          'dataCenter=eu',
          '--client-id',
          client.clientId,
          '--client-secret',
          client.clientSecret,
          '--save-client-secret',
          '--json',
        ],
        { home },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(zohoProfile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'accounts.zoho.eu' },
      ]);
      const refreshed = await runCli(['refresh', 'me@zoho.eu'], { home });
      expect(refreshed.code, refreshed.stderr).toBe(0);
      expect(zohoProfile.tokenRequests.at(-1)).toEqual({
        grantType: 'refresh_token',
        host: 'accounts.zoho.eu',
      });
    } finally {
      await zohoProfile.close();
    }
  });
});
