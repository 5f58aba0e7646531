/**
 * The `OAUTH_AUTHORIZER_HOME` an example runs in during its test: a temporary directory whose token
 * store holds accounts authorized at the real test authorization server, and a preset file naming
 * the local servers.
 *
 * @module
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, type TokenSet } from '@oauth-authorizer/core';
import { type AuthorizationServer, authorizeTestAccount } from '@oauth-authorizer/test-servers';

/**
 * A temporary CLI home with its token store and a preset file.
 *
 * @example
 * ```ts
 * const home: ExampleHome = await createExampleHome(server);
 * await home.remove();
 * ```
 */
export interface ExampleHome {
  /** The home itself: what `OAUTH_AUTHORIZER_HOME` (and the program's `HOME`) point at. */
  directory: string;
  /** The token store under `accounts/`, the one the CLI and the examples use. */
  store: FileTokenStore;
  /** The preset file naming the test servers, for `PRESET` or the CLI's `--preset`. */
  presetFile: string;
  /** Removes the home and everything in it. */
  remove(): Promise<void>;
}

/**
 * Creates a home whose preset file is the test server's endpoints plus `mail` (when given), in the
 * JSON shape of the product contract's preset example.
 *
 * @param mail The preset's `mail` section (servers and SASL mechanism). Default: none, as for an
 *   API-only provider
 * @example
 * ```ts
 * const home = await createExampleHome(server, {
 *   smtp: { host: smtp.host, port: smtp.port, tls: 'none' },
 *   sasl: 'XOAUTH2',
 * });
 * ```
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
 * Options of {@link seedAccount}.
 *
 * @example
 * ```ts
 * const options: SeedOptions = { expired: true, settings: { preset: 'custom' } };
 * ```
 */
export interface SeedOptions {
  /** Backdate the access token so the example must refresh before use. Default: false */
  expired?: boolean;
  /** Settings stored with the account, as the CLI saves them. Default: none */
  settings?: Record<string, unknown>;
}

/**
 * Authorizes `login` at the server (code flow, sign-in driven over HTTP) and stores its tokens as
 * the CLI would; `expired` backdates the access token so the example must refresh before use.
 *
 * @returns The tokens as stored.
 * @example
 * ```ts
 * const seeded = await seedAccount(home, server, 'me@example.test', { expired: true });
 * ```
 */
export async function seedAccount(
  home: ExampleHome,
  server: AuthorizationServer,
  login: string,
  options: SeedOptions = {},
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

/**
 * The tokens the store holds for `login` now.
 *
 * @throws {Error} When the store holds none.
 * @example
 * ```ts
 * expect((await storedTokens(home, login)).refreshToken).not.toBe(seeded.refreshToken);
 * ```
 */
export async function storedTokens(home: ExampleHome, login: string): Promise<TokenSet> {
  const tokens = (await home.store.get(login))?.tokens;
  if (!tokens) throw new Error(`no tokens stored for ${login}`);
  return tokens;
}
