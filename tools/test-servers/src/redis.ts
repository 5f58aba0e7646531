import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.js';
import { freePort, isPortConflict, PortConflictError, startOnFreePorts } from './free-port.js';

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /**
   * Log every write to an append-only file, fsynced before the reply (`appendfsync always`), so
   * that `stop()` then `start()` — or even a SIGKILL — keeps every acknowledged write, as a
   * production Redis holding tokens must. Without it nothing is kept across a restart.
   * Default: false
   */
  appendOnly?: boolean;
  /** How long to wait for `PING` to answer, in ms. Default: 10 000 */
  startTimeout?: number;
}

/** A running (or stopped, between `stop()` and `start()`) `redis-server` on loopback. */
export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:<port>`; the same across restarts. */
  url: string;
  /** The server's working directory (its append-only file). Removed by `close()`. */
  directory: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** The server's process id while it runs (e.g. to `SIGSTOP` it and play a hung server). */
  readonly pid: number | undefined;
  /** What the server has logged so far. */
  log(): string;
  /**
   * Stops the server and waits for it to exit: `SIGTERM` (a clean shutdown) by default, or
   * `SIGKILL` (a crash). Clients see their connections drop.
   */
  stop(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Starts it again on the same port and directory, and waits until it answers `PING`. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

const LOG_LIMIT = 256 * 1024;

/** Sends `PING` and says whether `+PONG` came back (a server still loading its data answers `-LOADING`). */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
    socket.once('error', () => finish(false));
  });
}

async function waitForExit(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  // A server a test froze with SIGSTOP acts on the signal only once it runs again.
  child.kill('SIGCONT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts Debian's `redis-server` on `127.0.0.1` with a free port, its own directory, protected mode
 * on, and no snapshots; with `appendOnly`, every write is logged and fsynced so data survives
 * `stop()`/`start()`. Each instance is independent; several run side by side.
 *
 * @throws {Error} when `redis-server` is not installed or does not answer in time.
 * @example
 * ```ts
 * const redis = await startRedis({ appendOnly: true });
 * const store = new RedisTokenStore({ redis: redis.url, plaintext: true });
 * await redis.stop(); // store operations now fail with a transient OAUTH_STORE_UNAVAILABLE
 * await redis.start(); // … and work again, with the same data
 * await store.close();
 * await redis.close();
 * ```
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findBinary(
    ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
    'startRedis: `redis-server` was not found. Install it with `apt-get install -y redis-server`.',
  );
  const directory = await mkdtemp(join(tmpdir(), 'oa-redis-'));
  const startTimeout = options.startTimeout ?? 10_000;
  let port = 0;
  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    directory,
    '--save',
    '',
    ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  let log = '';
  let child: ChildProcess | undefined;

  const spawnServer = async (): Promise<void> => {
    const process = spawn(binary, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = process;
    const append = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    process.stdout?.on('data', append);
    process.stderr?.on('data', append);
    let failure: Error | undefined;
    process.once('error', (error) => {
      failure = error;
    });
    const deadline = Date.now() + startTimeout;
    for (;;) {
      if (failure) throw new Error(`startRedis: could not run ${binary}: ${failure.message}`);
      if (process.exitCode !== null || process.signalCode !== null) {
        const message = `startRedis: redis-server exited during start-up:\n${log}`;
        throw isPortConflict(log) ? new PortConflictError(message) : new Error(message);
      }
      if (await pings(port)) return;
      if (Date.now() > deadline) {
        await waitForExit(process, 'SIGKILL');
        throw new Error(`startRedis: port ${port} did not answer PING within ${startTimeout} ms:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async (stopOptions: { signal?: 'SIGTERM' | 'SIGKILL' } = {}) => {
    if (child) await waitForExit(child, stopOptions.signal ?? 'SIGTERM');
  };

  try {
    // A new port for each try; restarts by start() keep the last one, as the URL promises.
    await startOnFreePorts(async () => {
      port = await freePort();
      log = '';
      await spawnServer();
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    directory,
    get running() {
      return isRunning();
    },
    get pid() {
      return isRunning() ? child?.pid : undefined;
    },
    log: () => log,
    stop,
    async start() {
      if (closing) throw new Error('startRedis: the server was closed');
      if (isRunning()) return;
      await spawnServer();
    },
    close() {
      closing ??= (async () => {
        await stop();
        await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
