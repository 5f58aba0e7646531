/**
 * The setup every example's test file shares: the real authorization server, the servers the
 * example talks to, an `OAUTH_AUTHORIZER_HOME` with a preset file naming them, the environment a
 * user sets, and everything stopped and removed after the file's tests.
 *
 * @module
 */
import type { TokenSet } from '@oauth-authorizer/core';
import { type AuthorizationServer, clients, startAuthorizationServer } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll } from 'vitest';
import {
  createExampleHome,
  type ExampleHome,
  type SeedOptions,
  seedAccount,
  storedTokens,
} from './example-home.js';
import { builtProgram, type ExampleRun, runExample } from './run-example.js';
import { revokeAccessTokenOnly, revokeGrant } from './token-revocation.js';

/**
 * A server a test starts, which {@link useExample} stops after the file's tests.
 *
 * @example
 * ```ts
 * const smtp: Counterpart = await startSmtpServer();
 * ```
 */
export interface Counterpart {
  close(): Promise<void>;
}

/**
 * Options of {@link useExample}.
 *
 * @example
 * ```ts
 * const options: ExampleFixtureOptions<{ dovecot: Dovecot }> = {
 *   counterparts: { dovecot: startMailDovecot },
 *   mail: ({ dovecot }) => ({ imap: { host: dovecot.host, port: dovecot.imapPort, tls: 'none' } }),
 * };
 * ```
 */
export interface ExampleFixtureOptions<C extends Record<string, Counterpart>> {
  /**
   * The servers the example talks to, by the name the fixture exposes them under, each started
   * once the authorization server runs (in this order). Default: none
   */
  counterparts?: { [K in keyof C]: (server: AuthorizationServer) => Promise<C[K]> };
  /**
   * The `mail` section of the home's preset file, from the started counterparts. Default: none, as
   * for an API-only provider
   */
  mail?: (counterparts: C) => Record<string, unknown>;
}

/**
 * What an example's test file runs against; every getter works from the file's first test on (read
 * `server`, `home` and the counterparts inside tests and hooks, not at the top of the file).
 *
 * @example
 * ```ts
 * const { environment, runExample, seedAccount } = useExample(import.meta.url);
 * ```
 */
export interface ExampleFixtureBase {
  /** The example's built program (`dist/main.js`). */
  readonly main: string;
  /** The real authorization server (oidc-provider) on loopback. */
  readonly server: AuthorizationServer;
  /** The home whose preset file names the counterparts (with {@link ExampleFixtureOptions.mail}). */
  readonly home: ExampleHome;
  /** Another home whose preset file has this `mail` section; removed after the file's tests. */
  newHome(mail?: Record<string, unknown>): Promise<ExampleHome>;
  /**
   * The environment of a user who names everything: `OAUTH_AUTHORIZER_HOME`, `ACCOUNT`, `PRESET`
   * (the home's preset file) and `CLIENT_ID` (the server's native client), then `extra`.
   */
  environment(login: string, extra?: Record<string, string>, home?: ExampleHome): Record<string, string>;
  /** How many refresh-token grants the authorization server has answered so far. */
  refreshRequests(): number;
  /** Authorizes `login` and stores its tokens in `options.home` (default: {@link home}). */
  seedAccount(login: string, options?: SeedOptions & { home?: ExampleHome }): Promise<TokenSet>;
  /** The tokens the home's store holds for `login` now. */
  storedTokens(login: string, home?: ExampleHome): Promise<TokenSet>;
  /** Runs the built program with `env` and the home as its `HOME`. */
  runExample(env: Record<string, string>, home?: ExampleHome): Promise<ExampleRun>;
  /** Makes the server forget one access token; its grant and refresh token stay valid. */
  revokeAccessTokenOnly(token: string): Promise<void>;
  /** Revokes the whole grant of `tokens` at the revocation endpoint. */
  revokeGrant(tokens: TokenSet): Promise<void>;
}

/**
 * {@link ExampleFixtureBase} plus each counterpart under its name.
 *
 * @example
 * ```ts
 * const example: ExampleFixture<{ api: ProtectedApi }> = useExample(import.meta.url, {
 *   counterparts: { api: startProtectedApi },
 * });
 * ```
 */
export type ExampleFixture<C extends Record<string, Counterpart>> = ExampleFixtureBase & {
  readonly [K in keyof C]: C[K];
};

const RESERVED: ReadonlySet<string> = new Set([
  'main',
  'server',
  'home',
  'newHome',
  'environment',
  'refreshRequests',
  'seedAccount',
  'storedTokens',
  'runExample',
  'revokeAccessTokenOnly',
  'revokeGrant',
]);

/**
 * Starts the authorization server, the counterparts and the home before the test file's tests,
 * and afterwards stops every server (counterparts first, in reverse order) and removes every home,
 * even when a test or the start itself failed. The methods need no `this`: destructure them.
 *
 * @param testUrl The test file's `import.meta.url`: the example's program is `../dist/main.js` from it.
 * @throws {Error} At once when the example is not built, or a counterpart's name is taken.
 * @example
 * ```ts
 * const example = useExample(import.meta.url, {
 *   counterparts: { smtp: (server) => startSmtpServer({ introspect: (token) => server.introspect(token) }) },
 *   mail: ({ smtp }) => ({ smtp: { host: smtp.host, port: smtp.port, tls: 'none' }, sasl: 'XOAUTH2' }),
 * });
 * const { environment, runExample, seedAccount } = example;
 *
 * it('sends', async () => {
 *   await seedAccount('me@example.test');
 *   const run = await runExample(environment('me@example.test', { MAIL_TO: 'you@example.test' }));
 *   expect(example.smtp.messages).toHaveLength(1);
 * });
 * ```
 */
export function useExample<C extends Record<string, Counterpart> = Record<never, Counterpart>>(
  testUrl: string,
  options: ExampleFixtureOptions<C> = {},
): ExampleFixture<C> {
  const main = builtProgram(testUrl);
  const starters = Object.entries(options.counterparts ?? {}) as [
    keyof C & string,
    (server: AuthorizationServer) => Promise<Counterpart>,
  ][];
  for (const [name] of starters) {
    if (RESERVED.has(name))
      throw new Error(`useExample(): "${name}" is taken; name the counterpart otherwise`);
  }
  let server: AuthorizationServer | undefined;
  let home: ExampleHome | undefined;
  const running: Partial<C> = {};
  const homes: ExampleHome[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`useExample(): no ${what} (not started yet, or it failed to start)`);
    return value;
  };
  const theServer = () => started(server, 'authorization server');
  const theHome = () => started(home, 'home');

  const newHome = async (mail?: Record<string, unknown>) => {
    const created = await createExampleHome(theServer(), mail);
    homes.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await startAuthorizationServer();
    for (const [name, start] of starters) running[name] = (await start(server)) as C[typeof name];
    home = await newHome(options.mail?.(running as C));
  });

  afterAll(async () => {
    const stops = [
      ...(Object.values(running) as Counterpart[]).reverse().map((counterpart) => () => counterpart.close()),
      () => server?.close(),
      ...homes.map((created) => () => created.remove()),
    ];
    // One server that fails to stop must not keep the others (and their ports) alive.
    const failures: unknown[] = [];
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, 'useExample(): stopping the test world failed');
  });

  const fixture: ExampleFixtureBase = {
    main,
    get server() {
      return theServer();
    },
    get home() {
      return theHome();
    },
    newHome,
    environment: (login, extra = {}, target = theHome()) => ({
      OAUTH_AUTHORIZER_HOME: target.directory,
      ACCOUNT: login,
      PRESET: target.presetFile,
      CLIENT_ID: clients.native.clientId,
      ...extra,
    }),
    refreshRequests: () => theServer().countTokenRequests('refresh_token'),
    seedAccount: (login, { home: target = theHome(), ...seed } = {}) =>
      seedAccount(target, theServer(), login, seed),
    storedTokens: (login, target = theHome()) => storedTokens(target, login),
    runExample: (env, target = theHome()) => runExample(main, target, env),
    revokeAccessTokenOnly: (token) => revokeAccessTokenOnly(theServer(), token),
    revokeGrant: (tokens) => revokeGrant(theServer(), tokens),
  };
  for (const [name] of starters) {
    Object.defineProperty(fixture, name, { enumerable: true, get: () => started(running[name], name) });
  }
  return fixture as ExampleFixture<C>;
}
