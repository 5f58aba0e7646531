/**
 * Each built-in preset end to end through the CLI against its provider profile
 * (tools/test-servers/src/profiles): authorize, `token`, `refresh`, then one error the provider
 * documents, with the CLI's explanation hint line. The preset is copied into a file with its
 * endpoints moved onto the profile, under another id (a preset file may not take a built-in id)
 * and with `errorsOf` naming the built-in preset, as a preset file for the same service elsewhere
 * (Microsoft's national clouds) does: the stored account keeps it, and the hint uses the
 * provider's table.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '@oauth-authorizer/core';
import {
  aol,
  fastmail,
  github,
  google,
  mailru,
  microsoft,
  providerErrorTableOf,
  yahoo,
} from '@oauth-authorizer/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExactRedirectProfile } from '../../../tools/test-servers/src/profiles/exact-redirect.js';
import { startFastmailProfile } from '../../../tools/test-servers/src/profiles/fastmail.js';
import { startGithubProfile } from '../../../tools/test-servers/src/profiles/github.js';
import { startGoogleProfile } from '../../../tools/test-servers/src/profiles/google.js';
import { startMicrosoftProfile } from '../../../tools/test-servers/src/profiles/microsoft.js';
import type { ProfileServer } from '../../../tools/test-servers/src/profiles/profile-server.js';
import { runCli } from './cli-process.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-end-to-end-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Writes `preset` as `<id>-profile`, with its endpoints on `profile` and `errorsOf` its id; returns the file. */
async function presetOnProfile(
  preset: { id: string; hooks?: unknown } & Record<string, unknown>,
  profile: ProfileServer,
): Promise<string> {
  const { hooks: _hooks, ...fields } = preset;
  const moved: Record<string, unknown> = { ...fields };
  for (const key of ['authorizationUrl', 'tokenUrl', 'deviceAuthorizationUrl'] as const) {
    const endpoint = preset[key];
    // As localEndpoint() does, but textually: `{tenant}`-style placeholders stay unencoded.
    if (typeof endpoint === 'string') moved[key] = endpoint.replace(/^https:\/\//, `${profile.url}/`);
  }
  const file = join(directory, `${preset.id}-profile.json`);
  // Only a provider with an error table may be named (Fastmail documents no error codes).
  const errorsOf = providerErrorTableOf(preset.id);
  await writeFile(file, JSON.stringify({ ...moved, id: `${preset.id}-profile`, errorsOf }));
  return file;
}

/** `authorize` with non-interactive flags, then `token` and `refresh`; returns the refreshed tokens. */
async function authorizeTokenRefresh(options: {
  account: string;
  presetFile: string;
  client: { clientId: string; clientSecret?: string };
  home: string;
  builtInId: string;
  extra?: readonly string[];
  env?: Record<string, string>;
}): Promise<{ refreshToken: string | undefined }> {
  const { account, presetFile, client, home } = options;
  const authorized = await runCli(
    [
      'authorize',
      account,
      '--preset',
      presetFile,
      '--client-id',
      client.clientId,
      ...(client.clientSecret === undefined
        ? []
        : ['--client-secret', client.clientSecret, '--save-client-secret']),
      ...(options.extra ?? []),
      '--json',
    ],
    { home, ...(options.env && { env: options.env }) },
  );
  expect(authorized.code, authorized.stderr).toBe(0);
  const stored = await new FileTokenStore({ directory: join(home, 'accounts') }).get(account);
  expect(stored?.settings?.presetId).toBe(`${options.builtInId}-profile`);
  expect(stored?.settings?.errorsOf).toBe(providerErrorTableOf(options.builtInId));
  const tokens = JSON.parse(authorized.stdout) as { access_token: string; refresh_token?: string };
  const token = await runCli(['token', account], { home });
  expect(token.code, token.stderr).toBe(0);
  expect(token.stdout.trim()).toBe(tokens.access_token);
  const refreshed = await runCli(['refresh', account, '--json'], { home });
  expect(refreshed.code, refreshed.stderr).toBe(0);
  const record = await new FileTokenStore({ directory: join(home, 'accounts') }).get(account);
  expect(record?.tokens?.accessToken).not.toBe(tokens.access_token);
  return { refreshToken: record?.tokens?.refreshToken };
}

describe('Microsoft', () => {
  it('authorize, token, refresh; a refresh token unused for 90 days (AADSTS700082) is explained', async () => {
    const client = { clientId: 'microsoft-app', clientSecret: 'microsoft-secret-0123456789' };
    const profile = await startMicrosoftProfile({
      ...client,
      redirectUris: [microsoft.redirectUrl as string],
    });
    try {
      const presetFile = await presetOnProfile(microsoft as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      const refreshed = await authorizeTokenRefresh({
        account: 'me@outlook.com',
        presetFile,
        client,
        home,
        builtInId: 'microsoft',
      });
      expect(profile.tokenRequests.map((request) => request.grantType)).toEqual([
        'authorization_code',
        'refresh_token',
      ]);
      expect(refreshed.refreshToken).toBeDefined();
      profile.expireRefreshToken(refreshed.refreshToken as string, {
        error: 'invalid_grant',
        description:
          'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-09-01T00:00:00Z and was inactive for 90.00:00:00.',
      });
      const expired = await runCli(['refresh', 'me@outlook.com'], { home });
      expect(expired.code).not.toBe(0);
      expect(expired.stderr).toContain(
        'AADSTS700082: The refresh token expired because it was not used for 90 days.',
      );
    } finally {
      await profile.close();
    }
  });
});

describe('Google', () => {
  it('authorize, token, refresh; a revoked refresh token (invalid_grant) is explained', async () => {
    const client = {
      clientId: 'google-app.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-google-secret-0123',
    };
    const profile = await startGoogleProfile({ ...client, redirectUris: [google.redirectUrl as string] });
    try {
      const presetFile = await presetOnProfile(google as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      const refreshed = await authorizeTokenRefresh({
        account: 'me@gmail.com',
        presetFile,
        client,
        home,
        builtInId: 'google',
      });
      expect(profile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'oauth2.googleapis.com' },
        { grantType: 'refresh_token', host: 'oauth2.googleapis.com' },
      ]);
      profile.expireRefreshToken(refreshed.refreshToken as string, {
        error: 'invalid_grant',
        description: 'Token has been expired or revoked.',
      });
      const revoked = await runCli(['refresh', 'me@gmail.com'], { home });
      expect(revoked.code).not.toBe(0);
      expect(revoked.stderr).toContain('invalid_grant: Google no longer accepts the refresh token');
    } finally {
      await profile.close();
    }
  });

  describe('the Gmail scope in the device flow', () => {
    const client = {
      clientId: 'google-tv.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-google-tv-secret-0123',
    };
    const deviceFlow = (preset: string) => [
      'authorize',
      'me@gmail.com',
      '--preset',
      preset,
      '--flow',
      'device',
      '--client-id',
      client.clientId,
      '--client-secret',
      client.clientSecret,
    ];

    it('the built-in preset refuses it before asking Google, and says to use the code flow', async () => {
      const home = await mkdtemp(join(directory, 'home-'));
      const refused = await runCli(deviceFlow('google'), { home });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(
        'preset "google" refuses this request: Google does not allow the Gmail scope (https://mail.google.com/) in the device flow; use the code flow',
      );
      expect(refused.stderr).toContain('hint: use --flow code, or other scopes (--scope, --scope-set)');
      expect(refused.stderr).not.toContain('device code');
    });

    it("a preset file without the check reaches Google, whose invalid_scope is explained from Google's table", async () => {
      const profile = await startGoogleProfile({ ...client, redirectUris: [google.redirectUrl as string] });
      try {
        // A JSON preset has no hooks: nothing refuses the request before the provider does.
        const presetFile = await presetOnProfile(google as never, profile);
        const home = await mkdtemp(join(directory, 'home-'));
        const refused = await runCli(deviceFlow(presetFile), { home });
        expect(refused.code).not.toBe(0);
        expect(profile.deviceRequests).toEqual([
          { host: 'oauth2.googleapis.com', scope: 'https://mail.google.com/' },
        ]);
        expect(refused.stderr).toContain('invalid_scope');
        expect(refused.stderr).toContain(
          "invalid_scope (device flow): Google's device flow allows only a few scopes (profile, email, Drive files, YouTube…); the Gmail scope https://mail.google.com/ is not one of them. Fix: use the code flow (--flow code) for mail",
        );
        expect(refused.stderr).toContain('limited-input-device');
        expect(profile.tokenRequests).toEqual([]);
      } finally {
        await profile.close();
      }
    });
  });
});

describe('Mail.ru', () => {
  it("authorize on the preset's exact redirect (fixed port), token, refresh; a refused refresh token gets the CLI hint", async () => {
    const client = { clientId: 'mailru-app', clientSecret: 'mailru-secret-0123456789' };
    const profile = await startExactRedirectProfile('mailru', {
      ...client,
      redirectUris: [mailru.redirectUrl as string],
    });
    try {
      const presetFile = await presetOnProfile(mailru as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      const refreshed = await authorizeTokenRefresh({
        account: 'me@mail.ru',
        presetFile,
        client,
        home,
        builtInId: 'mailru',
      });
      expect(profile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'oauth.mail.ru' },
        { grantType: 'refresh_token', host: 'oauth.mail.ru' },
      ]);
      profile.expireRefreshToken(refreshed.refreshToken as string, {
        error: 'invalid_grant',
        description: 'invalid refresh token',
      });
      const refused = await runCli(['refresh', 'me@mail.ru'], { home });
      expect(refused.code).not.toBe(0);
      // Mail.ru documents no error codes of its own (RFC 6749's invalid_grant): the CLI's hint names the fix.
      expect(refused.stderr).toContain('invalid_grant');
      expect(refused.stderr).toContain('hint: run: oauth-authorizer authorize me@mail.ru');
    } finally {
      await profile.close();
    }
  });
});

describe('GitHub', () => {
  it('authorize (code flow, expiring user tokens), token, refresh; a wrong client secret answered with status 200 is explained', async () => {
    const client = { clientId: 'Iv1.github-app', clientSecret: 'github-secret-0123456789abcdef' };
    const profile = await startGithubProfile(
      { ...client, redirectUris: [github.redirectUrl as string] },
      { expiringTokens: true },
    );
    try {
      const presetFile = await presetOnProfile(github as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      await authorizeTokenRefresh({
        account: 'octocat@github.com',
        presetFile,
        client,
        home,
        builtInId: 'github',
        extra: ['--flow', 'code'],
      });
      expect(profile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'github.com' },
        { grantType: 'refresh_token', host: 'github.com' },
      ]);
      // The app's secret was regenerated: the stored one is refused, with status 200 as GitHub does.
      const store = new FileTokenStore({ directory: join(home, 'accounts') });
      const record = await store.get('octocat@github.com');
      expect(record?.settings?.clientSecretValue).toBe(client.clientSecret);
      await store.set({
        ...record!,
        settings: { ...record!.settings, clientSecretValue: 'github-secret-regenerated-000000' },
      });
      const refused = await runCli(['refresh', 'octocat@github.com'], { home });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        'incorrect_client_credentials: The client ID or client secret is wrong.',
      );
    } finally {
      await profile.close();
    }
  });
});

/**
 * A browser stand-in for https loopback redirects: follows the authorization URL to the profile,
 * then the provider's redirect to the CLI's https listener, trusting the CLI's self-signed
 * certificate ($LOOPBACK_CERT) as a person clicking through the warning does.
 */
const HTTPS_BROWSER = [
  "import { readFileSync } from 'node:fs';",
  "import { get as httpGet } from 'node:http';",
  "import { get as httpsGet } from 'node:https';",
  'const fail = (error) => { console.error(error.message); process.exit(1); };',
  'httpGet(process.argv.at(-1), (answer) => {',
  '  answer.resume();',
  '  const location = answer.headers.location;',
  '  if (!location) fail(new Error("no redirect from the provider (status " + answer.statusCode + ")"));',
  '  httpsGet(location, { ca: readFileSync(process.env.LOOPBACK_CERT) }, (res) => res.resume().on("end", () => process.exit(0))).on("error", fail);',
  '}).on("error", fail);',
].join('\n');

describe.each([
  { preset: yahoo, account: 'me@yahoo.com', host: 'api.login.yahoo.com' },
  { preset: aol, account: 'me@aol.com', host: 'api.login.aol.com' },
] as const)('$preset.name', ({ preset, account, host }) => {
  it('authorize on the exact https redirect (self-signed certificate), token, refresh; a refused refresh token is explained', async () => {
    const client = { clientId: `${preset.id}-app`, clientSecret: `${preset.id}-secret-0123456789` };
    const profile = await startExactRedirectProfile(preset.id as 'yahoo' | 'aol', {
      ...client,
      redirectUris: [preset.redirectUrl as string],
    });
    try {
      const presetFile = await presetOnProfile(preset as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      const browser = join(home, 'https-browser.mjs');
      await writeFile(browser, HTTPS_BROWSER);
      const refreshed = await authorizeTokenRefresh({
        account,
        presetFile,
        client,
        home,
        builtInId: preset.id,
        env: {
          BROWSER: `${process.execPath} ${browser}`,
          LOOPBACK_CERT: join(home, 'tls', 'loopback', 'cert.pem'),
        },
      });
      expect(profile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host },
        { grantType: 'refresh_token', host },
      ]);
      profile.expireRefreshToken(refreshed.refreshToken as string, {
        error: 'invalid_refresh_token',
        description: 'invalid refresh token',
      });
      const refused = await runCli(['refresh', account], { home });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('INVALID_REFRESH_TOKEN: Yahoo does not accept the refresh token.');
    } finally {
      await profile.close();
    }
  });
});

describe('Fastmail', () => {
  it('authorize as a public client (PKCE, no secret), token, refresh; a refused refresh token gets the CLI hint', async () => {
    const client = { clientId: 'fastmail-app' };
    const profile = await startFastmailProfile({ ...client, redirectUris: [fastmail.redirectUrl as string] });
    try {
      const presetFile = await presetOnProfile(fastmail as never, profile);
      const home = await mkdtemp(join(directory, 'home-'));
      const refreshed = await authorizeTokenRefresh({
        account: 'me@fastmail.com',
        presetFile,
        client,
        home,
        builtInId: 'fastmail',
      });
      expect(profile.tokenRequests).toEqual([
        { grantType: 'authorization_code', host: 'api.fastmail.com' },
        { grantType: 'refresh_token', host: 'api.fastmail.com' },
      ]);
      profile.expireRefreshToken(refreshed.refreshToken as string, {
        error: 'invalid_grant',
        description: 'The refresh token is no longer valid.',
      });
      const refused = await runCli(['refresh', 'me@fastmail.com'], { home });
      expect(refused.code).not.toBe(0);
      // Fastmail documents no error codes of its own: the CLI's hint names the command that fixes it.
      expect(refused.stderr).toContain('hint: run: oauth-authorizer authorize me@fastmail.com');
    } finally {
      await profile.close();
    }
  });
});
