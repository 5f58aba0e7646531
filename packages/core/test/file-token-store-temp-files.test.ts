import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '@oauth-authorizer/core';
import { requireBuilt, startWorkerProcess, type WorkerProcess } from '@oauth-authorizer/test-servers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenSet } from './token-fixtures.js';

const account = 'me@example.test';
const holdLock = new URL('./workers/hold-lock.mjs', import.meta.url);
// The owner tag temp file names carry: a short hash of the host name, then the pid.
const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const workers: WorkerProcess[] = [];
let root: string;
let directory: string;

async function tempFiles(): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.tmp')).sort();
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

async function leftBehind(name: string, ageMs: number): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, name);
  await writeFile(path, '', { mode: 0o600 });
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
  return name;
}

beforeAll(() => requireBuilt(new URL('../dist/index.js', import.meta.url)));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'file-token-store-temp-'));
  directory = join(root, 'accounts');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  await rm(root, { recursive: true, force: true });
});

describe('FileTokenStore temp files', () => {
  it('removes on the next write the temp file of a refresher killed with SIGKILL under the lock', async () => {
    await new FileTokenStore({ directory }).set({ account, tokens: tokenSet() });
    const holder = startWorkerProcess(holdLock, [directory, account]);
    workers.push(holder);
    await holder.waitFor((line) => line === 'locked');
    // The holder reserved the space of its write: a private temp file named after its pid.
    const [reserved, ...others] = await tempFiles();
    expect(others).toEqual([]);
    expect(reserved).toContain(`.${hostTag}-${holder.pid}.`);
    expect((await stat(join(directory, reserved as string))).mode & 0o777).toBe(0o600);
    await holder.kill('SIGKILL');
    const store = new FileTokenStore({ directory, lockStaleAfter: 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.set({ account, tokens: tokenSet() });
    expect(await tempFiles()).toEqual([]);
  });

  it('removes empty temp files of dead processes once older than lockStaleAfter, when taking the lock', async () => {
    const dead = await deadPid();
    const young = await leftBehind(`.${account}.${hostTag}-${dead}.0123456789ab.tmp`, 0);
    await leftBehind(`.${account}.lock.${hostTag}-${dead}.ba9876543210.tmp`, 1000);
    await leftBehind(`.${account}.${hostTag}-${dead}.aaaaaaaaaaaa.tmp`, 1000);
    const store = new FileTokenStore({ directory, lockStaleAfter: 500 });
    const lock = await store.lock(account);
    // Only the young one stays, beside this lock's own reservation.
    const left = await tempFiles();
    expect(left).toContain(young);
    expect(left).toHaveLength(2);
    await lock.release();
    expect(await tempFiles()).toEqual([young]);
  });

  it('leaves the temp files of live processes, and those of other hosts until they are very old', async () => {
    const live = await leftBehind(`.${account}.${hostTag}-${process.pid}.0123456789ab.tmp`, 60_000);
    const otherHost = await leftBehind(`.${account}.0badc0de-${await deadPid()}.0123456789ab.tmp`, 60_000);
    const ancient = await leftBehind(`.${account}.0badc0de-1.aaaaaaaaaaaa.tmp`, 3_600_000);
    const store = new FileTokenStore({ directory, lockStaleAfter: 1000 });
    await store.set({ account, tokens: tokenSet() });
    const left = await tempFiles();
    expect(left).toEqual([live, otherHost].sort());
    expect(left).not.toContain(ancient);
  });
});
