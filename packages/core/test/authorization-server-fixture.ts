import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthorizationServer,
  requireBuilt,
  startAuthorizationServer,
  startWorkerProcess,
  type WorkerProcess,
} from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, expect } from 'vitest';

/** What a token-manager test file runs against; every getter works from the file's first test on. */
export interface AuthorizationServerFixture {
  /** The oidc-provider, on loopback, for this test file only. */
  readonly server: AuthorizationServer;
  /** A temporary directory for the file's token stores. */
  readonly root: string;
  /** Starts `test/workers/<script>` (which runs core's `dist/`) with `args`. */
  startWorker(script: string, args: string[]): WorkerProcess;
  /**
   * Runs `count` copies of `test/workers/concurrent-refresh.mjs` with `args` at the same moment:
   * starts them, waits until each says "ready", sends "go" to all, and resolves with each one's
   * distinct access tokens once every one has exited with 0.
   */
  runConcurrentWorkers(count: number, args: string[]): Promise<string[][]>;
}

/**
 * Starts an oidc-provider and makes a temporary directory before the test file's tests, and
 * afterwards kills every worker it started, stops the server and removes the directory, even when a
 * test failed.
 */
export function useAuthorizationServer(directoryPrefix: string): AuthorizationServerFixture {
  let server: AuthorizationServer | undefined;
  let root: string | undefined;
  const workers: WorkerProcess[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useAuthorizationServer(): used before its beforeAll ran');
    return value;
  };

  const startWorker = (script: string, args: string[]): WorkerProcess => {
    requireBuilt(new URL('../dist/index.js', import.meta.url));
    const worker = startWorkerProcess(new URL(`./workers/${script}`, import.meta.url), args);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    server = await startAuthorizationServer();
    root = await mkdtemp(join(tmpdir(), directoryPrefix));
  });

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  return {
    get server() {
      return started(server);
    },
    get root() {
      return started(root);
    },
    startWorker,
    async runConcurrentWorkers(count, args) {
      const started = Array.from({ length: count }, () => startWorker('concurrent-refresh.mjs', args));
      await Promise.all(started.map((worker) => worker.waitFor((line) => line === 'ready')));
      for (const worker of started) worker.send('go');
      return Promise.all(
        started.map(async (worker) => {
          const line = await worker.waitFor((text) => text.startsWith('{'), 30_000);
          expect(await worker.exited).toEqual({ code: 0, signal: null });
          return (JSON.parse(line) as { tokens: string[] }).tokens;
        }),
      );
    },
  };
}
