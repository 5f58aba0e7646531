import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, OAUTH_ABORTED, OAUTH_LOCK_TIMEOUT } from '@oauth-authorizer/core';
import { requireBuilt, startWorkerProcess, type WorkerProcess } from '@oauth-authorizer/test-servers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from './token-fixtures.js';

const account = 'me@example.test';
let root: string;
let directory: string;
const workers: WorkerProcess[] = [];
// Holds the account's lock from another process until told to release it.
const holdLock = new URL('./workers/hold-lock.mjs', import.meta.url);

/** The pid of a process that has run and exited: as dead as a crashed lock holder. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

async function writeLock(owner: { pid: number; hostname: string; id?: string }, ageMs = 0): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, `${account}.lock`);
  await writeFile(
    path,
    JSON.stringify({ id: 'left-over', createdAt: new Date(Date.now() - ageMs).toISOString(), ...owner }),
  );
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
  return path;
}

beforeAll(() => requireBuilt(new URL('../dist/index.js', import.meta.url)));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'file-token-store-lock-'));
  directory = join(root, 'accounts');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  await rm(root, { recursive: true, force: true });
});

afterAll(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

describe('FileTokenStore.lock()', () => {
  it('is exclusive within a process: a second caller waits for the release', async () => {
    const store = new FileTokenStore({ directory });
    const order: string[] = [];
    const first = await store.lock(account);
    const second = store.lock(account).then((lock) => {
      order.push('second locked');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second locked']);
    expect(await readdir(directory)).toEqual([]);
  });

  it('is exclusive across processes, and OAUTH_LOCK_TIMEOUT names the holder', async () => {
    const holder = startWorkerProcess(holdLock, [directory, account]);
    workers.push(holder);
    await holder.waitFor((line) => line === 'locked');
    const store = new FileTokenStore({ directory });
    const started = Date.now();
    const error = await rejection(store.lock(account, { timeout: 300 }));
    expect(error.code).toBe(OAUTH_LOCK_TIMEOUT);
    expect(error.transient).toBe(true);
    expect(error.message).toContain(`pid ${holder.pid}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const waiting = store.lock(account, { timeout: 5000 });
    holder.send('release');
    await (await waiting).release();
  });

  it('takes over at once the lock of a holder killed with SIGKILL', async () => {
    const holder = startWorkerProcess(holdLock, [directory, account]);
    workers.push(holder);
    await holder.waitFor((line) => line === 'locked');
    await holder.kill('SIGKILL');
    const store = new FileTokenStore({ directory, lockStaleAfter: 60_000 });
    const started = Date.now();
    const lock = await store.lock(account, { timeout: 10_000 });
    // Far sooner than lockStaleAfter: the dead pid gave it away (the margin is for a loaded machine).
    expect(Date.now() - started).toBeLessThan(5000);
    await lock.release();
  });

  it('recovers a lock left by a dead process on this host without waiting for lockStaleAfter', async () => {
    await writeLock({ pid: await deadPid(), hostname: hostname() });
    const store = new FileTokenStore({ directory, lockStaleAfter: 60_000 });
    const started = Date.now();
    await (await store.lock(account, { timeout: 10_000 })).release();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('recovers when the waiter that was breaking a stale lock died holding its guard file', async () => {
    const dead = await deadPid();
    const lock = await writeLock({ pid: dead, hostname: hostname() });
    await writeFile(
      `${lock}.break`,
      JSON.stringify({ pid: dead, hostname: hostname(), createdAt: new Date().toISOString(), id: 'breaker' }),
    );
    const store = new FileTokenStore({ directory, lockStaleAfter: 60_000 });
    const started = Date.now();
    await (await store.lock(account, { timeout: 10_000 })).release();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(directory)).toEqual([]);
  });

  it('recovers a lock left by an earlier process that had our own pid (a restarted container)', async () => {
    await writeLock({ pid: process.pid, hostname: hostname(), id: 'not-one-of-ours' });
    const store = new FileTokenStore({ directory, lockStaleAfter: 60_000 });
    await (await store.lock(account, { timeout: 2000 })).release();
  });

  it('recovers a lock from another host only once it is older than lockStaleAfter', async () => {
    await writeLock({ pid: 1, hostname: 'another-host.example' }, 0);
    const store = new FileTokenStore({ directory, lockStaleAfter: 2000 });
    expect((await rejection(store.lock(account, { timeout: 300 }))).code).toBe(OAUTH_LOCK_TIMEOUT);
    await (await store.lock(account, { timeout: 10_000 })).release();

    await writeLock({ pid: 1, hostname: 'another-host.example' }, 10_000);
    await (await store.lock(account, { timeout: 200 })).release();
  });

  it('keeps a live holder’s lock beyond lockStaleAfter: the holder touches it while it holds it', async () => {
    const holderStore = new FileTokenStore({ directory, lockStaleAfter: 1000 });
    const waiterStore = new FileTokenStore({ directory, lockStaleAfter: 1000 });
    const held = await holderStore.lock(account);
    // Pretend the holder runs on another host, so only the age can make it stale.
    const path = join(directory, `${account}.lock`);
    const owner = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...owner, hostname: 'another-host.example' }));
    const error = await rejection(waiterStore.lock(account, { timeout: 2500 }));
    expect(error.code).toBe(OAUTH_LOCK_TIMEOUT);
    await held.release();
    await (await waiterStore.lock(account, { timeout: 1000 })).release();
  });

  it('lets exactly one of many waiters take over a stale lock at a time', async () => {
    await writeLock({ pid: await deadPid(), hostname: hostname() });
    // Separate store instances: each polls the lock file itself, as separate processes do.
    const stores = Array.from({ length: 20 }, () => new FileTokenStore({ directory, lockRetryInterval: 2 }));
    let inside = 0;
    let most = 0;
    await Promise.all(
      stores.map(async (store) => {
        const lock = await store.lock(account, { timeout: 20_000 });
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside -= 1;
        await lock.release();
      }),
    );
    expect(most).toBe(1);
    expect(await readdir(directory)).toEqual([]);
  });

  it('stops waiting with OAUTH_ABORTED when the signal aborts', async () => {
    const store = new FileTokenStore({ directory });
    const held = await store.lock(account);
    const other = new FileTokenStore({ directory });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(other.lock(account, { timeout: 5000, signal: controller.signal }));
    expect(error.code).toBe(OAUTH_ABORTED);
    await held.release();
  });

  it('ignores a second release, which must not free a lock someone else has taken since', async () => {
    const store = new FileTokenStore({ directory });
    const other = new FileTokenStore({ directory });
    const first = await store.lock(account);
    await first.release();
    const second = await other.lock(account);
    await first.release();
    expect((await rejection(store.lock(account, { timeout: 100 }))).code).toBe(OAUTH_LOCK_TIMEOUT);
    await second.release();
  });
});
