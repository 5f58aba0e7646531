/**
 * The world an example runs in during its test: an `OAUTH_AUTHORIZER_HOME` whose token store holds
 * accounts authorized at the real test authorization server, a preset file naming the local
 * servers, and the built program run as a user runs it, in its own process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore, revokeToken, type TokenSet } from '@oauth-authorizer/core';
import { type AuthorizationServer, authorizeTestAccount, clients } from '@oauth-authorizer/test-servers';

/** A temporary CLI home with its token store and a preset file. */
export interface ExampleHome {
  directory: string;
  store: FileTokenStore;
  presetFile: string;
  remove(): Promise<void>;
}

/**
 * Creates a home whose preset file is the test server's endpoints plus `mail` (when given), in the
 * JSON shape of the product contract's preset example.
 */
export async function createExampleHome(
  server: AuthorizationServer,
  mail?: Record<string, unknown>,
): Promise<ExampleHome> {
  const directory = await mkdtemp(join(tmpdir(), 'oa-example-'));
  const presetFile = join(directory, 'local-mail.preset.json');
  const preset = {
    id: 'local-mail',
    name: 'Local test servers',
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
    scopes: ['openid', 'offline_access', 'email', 'mail'],
    flows: ['code', 'device'],
    redirectUrl: 'http://127.0.0.1/callback',
    ...(mail && { mail }),
  };
  await writeFile(presetFile, `${JSON.stringify(preset, null, 2)}\n`);
  return {
    directory,
    store: new FileTokenStore({ directory: join(directory, 'accounts') }),
    presetFile,
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/**
 * Authorizes `login` at the server (code flow, sign-in driven over HTTP) and stores its tokens as
 * the CLI would; `expired` backdates the access token so the example must refresh before use.
 */
export async function seedAccount(
  home: ExampleHome,
  server: AuthorizationServer,
  login: string,
  options: { expired?: boolean; settings?: Record<string, unknown> } = {},
): Promise<TokenSet> {
  const { tokens } = await authorizeTestAccount(server, login);
  const seeded = options.expired ? { ...tokens, expiresAt: Date.now() - 1000 } : tokens;
  await home.store.set({
    account: login,
    tokens: seeded,
    ...(options.settings && { settings: options.settings }),
  });
  return seeded;
}

/** The tokens the store holds for `login` now. */
export async function storedTokens(home: ExampleHome, login: string): Promise<TokenSet> {
  const tokens = (await home.store.get(login))?.tokens;
  if (!tokens) throw new Error(`no tokens stored for ${login}`);
  return tokens;
}

/**
 * Makes the server forget one access token while its grant and refresh token stay valid, as a
 * provider does when it revokes a token early: to the client the token still looks unexpired.
 * (oidc-provider's RFC 7009 endpoint would end the whole grant; see {@link revokeGrant}.)
 */
export async function revokeAccessTokenOnly(server: AuthorizationServer, token: string): Promise<void> {
  const stored = await server.provider.AccessToken.find(token);
  if (!stored) throw new Error('the access token is unknown to the server');
  await stored.destroy();
  if ((await server.introspect(token)).active) throw new Error('the access token is still active');
}

/** Revokes the whole grant at the revocation endpoint (RFC 7009), as a user removing the app's access does. */
export async function revokeGrant(server: AuthorizationServer, tokens: TokenSet): Promise<void> {
  if (!tokens.refreshToken) throw new Error('no refresh token to revoke');
  await revokeToken(
    {
      tokenUrl: server.endpoints.token,
      revocationUrl: server.endpoints.revocation,
      clientId: clients.native.clientId,
    },
    tokens.refreshToken,
    { tokenTypeHint: 'refresh_token' },
  );
}

/** What a run of the program left behind. */
export interface ExampleRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built program of the example whose `test/` directory `testUrl` is in. */
export function builtProgram(testUrl: string): string {
  const main = fileURLToPath(new URL('../dist/main.js', testUrl));
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  return main;
}

/**
 * Runs the built program with only the given environment (plus `PATH`, and `HOME` pointing into
 * the test's home so nothing falls back to the real user's configuration). Asynchronous on
 * purpose: the servers it talks to run in this process.
 */
export function runExample(
  main: string,
  home: ExampleHome,
  env: Record<string, string>,
  timeout = 30_000,
): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      cwd: dirname(dirname(main)),
      env: { PATH: process.env.PATH ?? '', HOME: home.directory, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${main} did not end within ${timeout} ms; stderr so far:\n${stderr}`));
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The tokens of `sets` that appear in `text`, by kind (never the tokens themselves, to keep them out of test reports). */
export function leakedTokens(text: string, sets: readonly TokenSet[]): string[] {
  const leaks: string[] = [];
  for (const [index, tokens] of sets.entries()) {
    if (text.includes(tokens.accessToken)) leaks.push(`access token #${index}`);
    if (tokens.refreshToken && text.includes(tokens.refreshToken)) leaks.push(`refresh token #${index}`);
  }
  return leaks;
}
