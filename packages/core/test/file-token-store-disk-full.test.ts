import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  FileTokenStore,
  OAUTH_STORE_UNAVAILABLE,
  refreshTokens,
  type StoreFileSystem,
  TokenManager,
} from '@oauth-authorizer/core';
import { authorizeTestAccount, expiredTokens, nativeProvider } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from './authorization-server-fixture.js';
import { rejection } from './token-fixtures.js';

// A full disk after the lock must never cost the grant: oidc-provider rotates refresh tokens, and
// reusing the old one revokes the grant, so a rotated token that was not stored shows at once.

const fixture = useAuthorizationServer('file-token-store-disk-full-');

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
}

/**
 * node:fs/promises on a disk that can fill up: while `full`, a write that would grow a file fails
 * with ENOSPC, and one within the file's size succeeds (its blocks are the file's already), as on
 * ext4 or tmpfs; while `broken`, every write fails.
 */
function fillableDisk(): { fileSystem: StoreFileSystem; state: { full: boolean; broken: boolean } } {
  const state = { full: false, broken: false };
  const open = (async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile')
          return async (data: Buffer | string) => {
            if (state.full || state.broken) throw enospc();
            return target.writeFile(data);
          };
        if (property === 'write')
          return async (buffer: Buffer, offset: number, length: number, position: number) => {
            const { size } = await target.stat();
            if (state.broken || (state.full && position + length > size)) throw enospc();
            return target.write(buffer, offset, length, position);
          };
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }) as typeof fs.open;
  return { fileSystem: { ...fs, open }, state };
}

async function tempFiles(directory: string): Promise<string[]> {
  return (await fs.readdir(directory)).filter((name) => name.endsWith('.tmp'));
}

describe('FileTokenStore on a full disk (simulated)', () => {
  it('stores the rotated refresh token when the disk fills while the server rotates it', async () => {
    const { server, root } = fixture;
    const account = 'fills-up@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const { fileSystem, state } = fillableDisk();
    const store = new FileTokenStore({ directory: join(root, 'fills-up'), fileSystem });
    await store.set({ account, tokens: expiredTokens(tokens) });
    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      refresh: async (provider, refreshToken, options) => {
        const refreshed = await refreshTokens(provider, refreshToken, options);
        state.full = true; // the server has rotated: the old refresh token is dead now
        return refreshed;
      },
    });
    const accessToken = await manager.getAccessToken();
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(accessToken);
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    expect(await tempFiles(store.directory)).toEqual([]);
    // The grant lives on: the stored refresh token is the one the server accepts.
    await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
  });

  it('fails the lock, before any token request, when the disk is already full', async () => {
    const { server, root } = fixture;
    const account = 'already-full@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const { fileSystem, state } = fillableDisk();
    const store = new FileTokenStore({ directory: join(root, 'already-full'), fileSystem });
    await store.set({ account, tokens: expiredTokens(tokens) });
    const manager = new TokenManager({ account, store, provider: nativeProvider(server) });
    state.full = true;
    const before = server.countTokenRequests('refresh_token');
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    // The lock file or the reserved space, whichever the disk refuses first.
    expect(error.message).toContain(store.directory);
    expect(error.message).toContain('(ENOSPC)');
    expect(error.hint).toContain('free some space');
    expect(server.countTokenRequests('refresh_token')).toBe(before);
    expect(await tempFiles(store.directory)).toEqual([]);
    state.full = false;
    await manager.getAccessToken();
    expect(server.countTokenRequests('refresh_token')).toBe(before + 1);
  });

  it('keeps the rotated token in memory when the write still fails, and stores it on the next call', async () => {
    const { server, root } = fixture;
    const account = 'broken-disk@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const { fileSystem, state } = fillableDisk();
    const store = new FileTokenStore({ directory: join(root, 'broken-disk'), fileSystem });
    await store.set({ account, tokens: expiredTokens(tokens) });
    let rotated: string | undefined;
    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      refresh: async (provider, refreshToken, options) => {
        const refreshed = await refreshTokens(provider, refreshToken, options);
        rotated = refreshed.refreshToken;
        state.broken = true;
        return refreshed;
      },
    });
    const before = server.countTokenRequests('refresh_token');
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(error.message).toContain(`could not write token file "${store.pathOf(account)}"`);
    expect(error.message).toContain('(ENOSPC)');
    for (const secret of [tokens.refreshToken, tokens.accessToken, rotated])
      expect(`${error.message} ${error.hint}`).not.toContain(secret as string);
    expect((await store.get(account))?.tokens?.refreshToken).toBe(tokens.refreshToken);
    expect(await tempFiles(store.directory)).toEqual([]);
    // Space again: the next call writes the token kept in memory and sends no second request
    // (a second one would have used the dead refresh token and revoked the grant).
    state.broken = false;
    const accessToken = await manager.getAccessToken();
    expect(server.countTokenRequests('refresh_token')).toBe(before + 1);
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(accessToken);
    expect(stored?.refreshToken).toBe(rotated);
    await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
  });
});

describe('FileTokenStore on a full tmpfs (real)', () => {
  let mountPoint: string | undefined;
  let cannotMount: string | undefined;

  beforeAll(async () => {
    const point = join(fixture.root, 'tmpfs');
    await fs.mkdir(point, { recursive: true });
    try {
      await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', point]);
      mountPoint = point;
    } catch (error) {
      cannotMount = `mount -t tmpfs is not permitted here (${(error as Error).message.split('\n')[0]})`;
    }
  });

  afterAll(async () => {
    if (mountPoint) await promisify(execFile)('umount', [mountPoint]);
  });

  /** Fills the tmpfs to its last byte, then frees `free` bytes. */
  async function fill(filler: string, free: number): Promise<void> {
    const handle = await fs.open(filler, 'a');
    try {
      const page = Buffer.alloc(4096, 0x78);
      for (;;) await handle.appendFile(page);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await handle.close();
    }
    const { size } = await fs.stat(filler);
    await fs.truncate(filler, Math.max(0, size - free));
  }

  it('refuses the refresh with 4 KiB free, and stores it when the disk fills during the request', async (context) => {
    if (mountPoint === undefined) return context.skip(cannotMount);
    const { server } = fixture;
    const account = 'tmpfs@example.test';
    const { tokens } = await authorizeTestAccount(server, account);
    const store = new FileTokenStore({ directory: join(mountPoint, 'accounts') });
    await store.set({ account, tokens: expiredTokens(tokens) });
    const filler = join(mountPoint, 'filler');
    let fillDuringRefresh = false;
    const manager = new TokenManager({
      account,
      store,
      provider: nativeProvider(server),
      refresh: async (provider, refreshToken, options) => {
        const refreshed = await refreshTokens(provider, refreshToken, options);
        if (fillDuringRefresh) {
          await fill(filler, 0);
          await expect(fs.writeFile(join(mountPoint as string, 'probe'), 'x')).rejects.toMatchObject({
            code: 'ENOSPC',
          });
        }
        return refreshed;
      },
    });

    // The case: 4 KiB left when the lock is taken. No request goes out.
    await fill(filler, 4096);
    const before = server.countTokenRequests('refresh_token');
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(error.message).toContain('(ENOSPC)');
    expect(server.countTokenRequests('refresh_token')).toBe(before);
    expect((await store.get(account))?.tokens?.refreshToken).toBe(tokens.refreshToken);
    expect(await tempFiles(store.directory)).toEqual([]);

    // Room when the lock is taken, none left once the server has rotated: stored all the same.
    await fs.truncate(filler, 0);
    fillDuringRefresh = true;
    const accessToken = await manager.getAccessToken();
    expect(server.countTokenRequests('refresh_token')).toBe(before + 1);
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(accessToken);
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    await fs.rm(filler);
    await refreshTokens(nativeProvider(server), stored?.refreshToken as string);
  });
});
