import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;
let home: string;
const account = 'alice@example.test';
let authorized: Record<string, unknown>;

beforeAll(async () => {
  provider = await startTestProvider();
  home = await provider.newHome();
});

afterAll(async () => {
  await provider?.close();
});

describe('authorize with the authorization code flow', () => {
  it('signs in through $BROWSER and the listener, stores the account and prints exactly the JSON object of the spec', async () => {
    const result = await runCli(
      [
        'authorize',
        account,
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--json',
      ],
      { home, env: { TEST_BROWSER_LOGIN: account } },
    );
    expect(result.stderr).toContain('Authorized alice@example.test');
    expect(result.code).toBe(0);
    authorized = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(authorized).sort()).toEqual(
      ['access_token', 'account', 'expires_at', 'preset', 'refresh_token', 'scope', 'token_type'].sort(),
    );
    expect(authorized).toMatchObject({ account, preset: 'test-server', token_type: 'Bearer' });
    expect(authorized.access_token).toEqual(expect.any(String));
    expect(authorized.refresh_token).toEqual(expect.any(String));
    expect(new Date(authorized.expires_at as string).toISOString()).toBe(authorized.expires_at);
    expect(authorized.scope).toContain('mail');
    const introspection = await provider.server.introspect(authorized.access_token as string);
    expect(introspection).toMatchObject({ active: true, email: account, client_id: clients.native.clientId });
    // Tokens go to stdout only, never to stderr.
    expect(result.stderr).not.toContain(authorized.access_token as string);
  });

  it('keeps the account in one private file under $OAUTH_AUTHORIZER_HOME, with its settings and no client secret', async () => {
    const file = join(home, 'accounts', `${account}.json`);
    const record = JSON.parse(await readFile(file, 'utf8')) as {
      tokens: { refresh_token: string };
      settings: { provider: { tokenUrl: string } };
    };
    expect(record.tokens.refresh_token).toBe(authorized.refresh_token);
    expect(record.settings).toMatchObject({
      version: 1,
      preset: provider.presetFile,
      presetId: 'test-server',
      flow: 'code',
      clientId: clients.native.clientId,
      clientSecret: 'none',
    });
    expect(record.settings.provider.tokenUrl).toBe(provider.server.endpoints.token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'accounts'))).mode & 0o777).toBe(0o700);
  });

  it('token prints the access token and nothing else', async () => {
    const result = await runCli(['token', account], { home });
    expect(result).toEqual({ code: 0, stdout: `${authorized.access_token}\n`, stderr: '' });
  });

  it('token --json prints the token with its type, expiry and scope', async () => {
    const result = await runCli(['token', account, '--json'], { home });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      access_token: authorized.access_token,
      token_type: 'Bearer',
      expires_at: authorized.expires_at,
      scope: authorized.scope,
    });
  });

  it('show and accounts describe the account without printing a token unless --reveal is given', async () => {
    const shown = await runCli(['show', account], { home });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Preset:');
    expect(shown.stdout).toContain('test-server');
    expect(shown.stdout).toContain(provider.server.endpoints.token);
    expect(shown.stdout).not.toContain(authorized.access_token as string);
    expect(shown.stdout).not.toContain(authorized.refresh_token as string);
    // The refresh token's age, which provider limits go by (issue: Google "Testing" 7 days).
    expect(shown.stdout).toMatch(
      /Refresh token age:\s+\d+ (s|seconds?|min|minutes?) \(obtained \d{4}-\d\d-\d\dT/,
    );

    const revealed = await runCli(['show', account, '--reveal', '--json'], { home });
    const json = JSON.parse(revealed.stdout) as {
      status: string;
      tokens: { access_token: string; refresh_token: string; refresh_token_obtained_at: string };
    };
    expect(Date.now() - Date.parse(json.tokens.refresh_token_obtained_at)).toBeLessThan(600_000);
    expect(json.tokens.access_token).toBe(authorized.access_token);
    expect(json.tokens.refresh_token).toBe(authorized.refresh_token);
    expect(json.status).toBe('valid');

    const listed = await runCli(['accounts', '--json'], { home });
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        account,
        preset: 'test-server',
        flow: 'code',
        status: 'valid',
        expires_at: authorized.expires_at,
        scope: authorized.scope,
      },
    ]);
    expect(listed.stdout).not.toContain(authorized.access_token as string);
  });

  it('sasl prints the base64 XOAUTH2 initial response with the current token', async () => {
    const result = await runCli(['sasl', account], { home });
    expect(result.code).toBe(0);
    expect(Buffer.from(result.stdout.trim(), 'base64').toString('utf8')).toBe(
      `user=${account}\u0001auth=Bearer ${authorized.access_token}\u0001\u0001`,
    );
    const bearer = await runCli(
      ['sasl', account, '--mechanism', 'oauthbearer', '--host', 'imap.example.test', '--port', '993'],
      {
        home,
      },
    );
    expect(Buffer.from(bearer.stdout.trim(), 'base64').toString('utf8')).toBe(
      `n,a=${account},\u0001host=imap.example.test\u0001port=993\u0001auth=Bearer ${authorized.access_token}\u0001\u0001`,
    );
  });

  it('sasl refuses a user that would forge SASL fields (a control character), as a usage error without the token', async () => {
    const result = await runCli(['sasl', account, '--user', 'me@example.test\u0001auth=Bearer forged'], {
      home,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/sasl: SASL "user" must not contain control characters/);
    expect(result.stderr).not.toContain(authorized.access_token as string);
  });

  it('authorize on an existing account reuses its settings: the account name is enough', async () => {
    const result = await runCli(['authorize', account, '--json'], {
      home,
      env: { TEST_BROWSER_LOGIN: account },
    });
    expect(result.stderr).toContain('preset test-server, code flow');
    expect(result.code).toBe(0);
    const again = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(again.access_token).not.toBe(authorized.access_token);
    expect(again.preset).toBe('test-server');
    expect((await provider.server.introspect(again.access_token as string)).active).toBe(true);
    authorized = again;
  });

  it('human output shows the bearer token, refresh token, expiry and scopes on stdout and progress on stderr', async () => {
    const otherHome = await provider.newHome();
    const result = await runCli(
      ['authorize', 'bob', '--preset', provider.presetFile, '--client-id', clients.native.clientId],
      {
        home: otherHome,
        env: { TEST_BROWSER_LOGIN: 'bob@example.test' },
      },
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Bearer token: +\S+$/);
    expect(lines[1]).toMatch(/^Refresh token: +\S+$/);
    expect(lines[2]).toMatch(/^Expires: +\d{4}-\d\d-\d\dT.*Z \(in \d+ min\)$/);
    expect(lines[3]).toMatch(/^Scopes: +.*mail/);
    expect(result.stderr).toMatch(
      /Open this URL in a browser to authorize:\s+http:\/\/127\.0\.0\.1:\d+\/auth\?/,
    );
    expect(result.stderr).toMatch(
      /auth\?.*\n+Waiting for the redirect on http:\/\/127\.0\.0\.1:\d+\/callback\./,
    );
  });

  it('custom settings with --issuer discover the endpoints once and keep them for refreshes', async () => {
    const otherHome = await provider.newHome();
    const result = await runCli(
      [
        'authorize',
        'cleo@example.test',
        '--issuer',
        provider.server.issuer,
        '--client-id',
        clients.post.clientId,
        '--client-secret',
        clients.post.clientSecret,
        '--client-auth',
        'post',
        '--scope',
        'openid offline_access',
        '--scope',
        'mail',
        '--json',
      ],
      { home: otherHome, env: { TEST_BROWSER_LOGIN: 'cleo@example.test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(clients.post.clientSecret);
    expect(result.stderr).toContain('OAUTH_AUTHORIZER_CLIENT_SECRET');
    const shown = JSON.parse(
      (await runCli(['show', 'cleo@example.test', '--json'], { home: otherHome })).stdout,
    ) as {
      settings: Record<string, unknown> & { provider: Record<string, unknown> };
    };
    expect(shown.settings).toMatchObject({
      preset: 'custom',
      clientSecret: 'environment',
      issuer: provider.server.issuer,
    });
    expect(shown.settings).not.toHaveProperty('clientSecretValue');
    expect(shown.settings.provider).toMatchObject({
      tokenUrl: provider.server.endpoints.token,
      revocationUrl: provider.server.endpoints.revocation,
      clientAuth: 'client_secret_post',
      scopes: ['openid', 'offline_access', 'mail'],
    });
    // The secret was not stored: a refresh needs it from the environment, and says so without it.
    const without = await runCli(['refresh', 'cleo@example.test'], { home: otherHome });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('OAUTH_AUTHORIZER_CLIENT_SECRET is not set');
    const withSecret = await runCli(['refresh', 'cleo@example.test'], {
      home: otherHome,
      env: { OAUTH_AUTHORIZER_CLIENT_SECRET: clients.post.clientSecret },
    });
    expect(withSecret.code, withSecret.stderr).toBe(0);
  });
});
