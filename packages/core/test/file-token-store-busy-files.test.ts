import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, OAUTH_STORE_UNAVAILABLE, type StoreFileSystem } from '@oauth-authorizer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection, tokenSet } from './token-fixtures.js';

// Windows refuses to rename over, or remove, a file another process (a virus scanner, an indexer,
// a reader of the old record) holds open: EPERM, EBUSY or EACCES for a few milliseconds.

const account = 'me@example.test';
let root: string;
let directory: string;

function busy(code: string, call: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: operation not permitted, ${call}`), { code });
}

/** node:fs/promises whose `call` fails with `code` the first `failures` times (Infinity: always). */
function busyFileSystem(
  call: 'rename' | 'unlink' | 'open',
  code: string,
  failures: number,
  only: (path: string) => boolean = () => true,
): { fileSystem: StoreFileSystem; tries: number[] } {
  const tries: number[] = [];
  const original = { rename: fs.rename, unlink: fs.unlink, open: fs.open }[call] as (
    ...args: unknown[]
  ) => Promise<unknown>;
  const wrapped = async (...args: unknown[]) => {
    if (only(String(args[0]))) {
      tries.push(Date.now());
      if (tries.length <= failures) throw busy(code, call);
    }
    return original(...args);
  };
  return { fileSystem: { ...fs, [call]: wrapped } as StoreFileSystem, tries };
}

beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'file-token-store-busy-'));
  directory = join(root, 'accounts');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('FileTokenStore with files Windows holds busy', () => {
  for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
    it(`tries the rename again while it fails with ${code}, and the record is written`, async () => {
      await new FileTokenStore({ directory }).set({ account, tokens: tokenSet() });
      const { fileSystem, tries } = busyFileSystem('rename', code, 3);
      const store = new FileTokenStore({ directory, fileSystem });
      const tokens = tokenSet();
      await store.set({ account, tokens });
      expect(tries).toHaveLength(4);
      expect((await store.get(account))?.tokens).toEqual(tokens);
      expect((await fs.readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('gives up after 5 tries over about 1 s with OAUTH_STORE_UNAVAILABLE naming the file', async () => {
    const before = tokenSet();
    await new FileTokenStore({ directory }).set({ account, tokens: before });
    const { fileSystem, tries } = busyFileSystem('rename', 'EBUSY', Number.POSITIVE_INFINITY);
    const store = new FileTokenStore({ directory, fileSystem });
    const error = await rejection(store.set({ account, tokens: tokenSet() }));
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(error.message).toBe(`could not write token file "${store.pathOf(account)}" (EBUSY)`);
    expect(tries).toHaveLength(5);
    const spent = (tries.at(-1) as number) - (tries[0] as number);
    expect(spent).toBeGreaterThanOrEqual(900);
    expect(spent).toBeLessThan(3000);
    expect((await store.get(account))?.tokens).toEqual(before);
    expect((await fs.readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('does not retry other errors', async () => {
    const { fileSystem, tries } = busyFileSystem('rename', 'EROFS', Number.POSITIVE_INFINITY);
    const store = new FileTokenStore({ directory, fileSystem });
    expect((await rejection(store.set({ account, tokens: tokenSet() }))).message).toContain('(EROFS)');
    expect(tries).toHaveLength(1);
  });

  it('removes its lock file when the unlink fails with EBUSY at first', async () => {
    const isLock = (path: string) => path.endsWith(`${account}.lock`);
    const { fileSystem, tries } = busyFileSystem('unlink', 'EBUSY', 2, isLock);
    const store = new FileTokenStore({ directory, fileSystem });
    const lock = await store.lock(account);
    await lock.release();
    expect(tries).toHaveLength(3);
    expect(await fs.readdir(directory)).toEqual([]);
    // Free at once for the next holder, in this process and in others.
    await (await new FileTokenStore({ directory }).lock(account, { timeout: 100 })).release();
  });

  it('creates its lock file when creating it fails with EPERM at first', async () => {
    const isLockTemp = (path: string) => path.includes(`${account}.lock.`) && path.endsWith('.tmp');
    const { fileSystem, tries } = busyFileSystem('open', 'EPERM', 2, isLockTemp);
    const store = new FileTokenStore({ directory, fileSystem });
    const lock = await store.lock(account);
    expect(await fs.readdir(directory)).toContain(`${account}.lock`);
    await lock.release();
    expect(tries).toHaveLength(3);
  });
});
