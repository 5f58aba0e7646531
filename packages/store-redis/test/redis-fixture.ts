import { RedisTokenStore, type RedisTokenStoreOptions } from '@oauth-authorizer/store-redis';
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  clients,
  type RedisServer,
  type RedisServerOptions,
  requireBuilt,
  startAuthorizationServer,
  startRedis,
  startWorkerProcess,
  type WorkerProcess,
} from '@oauth-authorizer/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** Options of {@link useRedis}. */
export interface RedisFixtureOptions {
  /** Options of the `redis-server` the test file runs against. Default: none */
  redis?: RedisServerOptions;
  /** Start an oidc-provider too, with these options (`{}` for the defaults). Default: none is started */
  authorizationServer?: AuthorizationServerOptions;
  /** Options every {@link RedisFixture.newStore} store starts from. Default: none */
  store?: Partial<RedisTokenStoreOptions>;
}

/** What a store-redis test file runs against; every getter works from the file's first test on. */
export interface RedisFixture {
  /** The `redis-server`, on loopback, for this test file only. */
  readonly redis: RedisServer;
  /** The oidc-provider, when {@link RedisFixtureOptions.authorizationServer} asked for one. */
  readonly authorizationServer: AuthorizationServer;
  /** A plain client on the Redis (made on first use), to look at or plant what a store reads and writes. */
  readonly raw: Redis;
  /**
   * A store on the Redis, with its own connection: two stand for two processes (or machines).
   * Closed after the file's tests.
   */
  newStore(keyPrefix: string, options?: Partial<RedisTokenStoreOptions>): RedisTokenStore;
  /**
   * Starts `test/workers/<script>` on the built packages with the arguments every worker takes
   * (Redis URL, key prefix, account, token endpoint, native client id), then `args`. Killed after
   * the file's tests.
   */
  startWorker(
    script: string,
    worker: { keyPrefix: string; account: string; args?: string[]; env?: NodeJS.ProcessEnv },
  ): WorkerProcess;
}

// Workers run the built packages: store-redis and the core it imports.
const builtPackages = [
  new URL('../dist/index.js', import.meta.url),
  new URL('../../core/dist/index.js', import.meta.url),
];

/**
 * Starts a `redis-server` (and an oidc-provider when asked) before the test file's tests, and
 * afterwards stops every worker, store, client and server it made, even when a test failed.
 */
export function useRedis(options: RedisFixtureOptions = {}): RedisFixture {
  let redis: RedisServer | undefined;
  let authorizationServer: AuthorizationServer | undefined;
  let raw: Redis | undefined;
  const stores: RedisTokenStore[] = [];
  const workers: WorkerProcess[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useRedis(): no ${what} (not asked for, or not started yet)`);
    return value;
  };

  beforeAll(async () => {
    [redis, authorizationServer] = await Promise.all([
      startRedis(options.redis),
      options.authorizationServer && startAuthorizationServer(options.authorizationServer),
    ]);
  });

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await Promise.all(stores.map((store) => store.close()));
    raw?.disconnect();
    await Promise.all([redis?.close(), authorizationServer?.close()]);
  });

  return {
    get redis() {
      return started(redis, 'Redis');
    },
    get authorizationServer() {
      return started(authorizationServer, 'authorization server');
    },
    get raw() {
      raw ??= new Redis(started(redis, 'Redis').url);
      return raw;
    },
    newStore(keyPrefix, storeOptions = {}) {
      const chosen = { ...options.store, ...storeOptions };
      const store = new RedisTokenStore({
        redis: started(redis, 'Redis').url,
        keyPrefix,
        // The store requires a choice; tests that give no key store in clear, knowingly.
        ...(chosen.encryptionKey === undefined && chosen.plaintext === undefined && { plaintext: true }),
        ...chosen,
      });
      stores.push(store);
      return store;
    },
    startWorker(script, worker) {
      requireBuilt(...builtPackages);
      const server = started(authorizationServer, 'authorization server');
      const process = startWorkerProcess(
        new URL(`./workers/${script}`, import.meta.url),
        [
          started(redis, 'Redis').url,
          worker.keyPrefix,
          worker.account,
          server.endpoints.token,
          clients.native.clientId,
          ...(worker.args ?? []),
        ],
        // Roomier than the default: these workers load two packages and connect to Redis first.
        { lineTimeout: 20_000, ...(worker.env && { env: worker.env }) },
      );
      workers.push(process);
      return process;
    },
  };
}
