import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileTokenStore,
  OAUTH_STORE_UNAVAILABLE,
  readCachedAccessToken,
  TokenManager,
} from '@oauth-authorizer/core';
import { storedAccountToJSON } from '@oauth-authorizer/core/store-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection, tokenSet } from './token-fixtures.js';

const account = 'me@example.test';
const isRoot = process.getuid?.() === 0;
let root: string;
let directory: string;

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'file-token-store-private-'));
  directory = join(root, 'accounts');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileTokenStore refuses symbolic links at account files', () => {
  it('throws OAUTH_STORE_UNAVAILABLE, and neither reads nor chmods the target', async () => {
    const store = new FileTokenStore({ directory });
    await mkdir(directory, { recursive: true, mode: 0o700 });
    // Another account's record, readable by its owner's group: the link would make it ours.
    const target = join(root, 'elsewhere.json');
    const tokens = tokenSet();
    await writeFile(target, JSON.stringify(storedAccountToJSON({ account, tokens })), { mode: 0o640 });
    await chmod(target, 0o640);
    await symlink(target, store.pathOf(account));
    const error = await rejection(store.get(account));
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(error.message).toBe(
      `token file "${store.pathOf(account)}" is a symbolic link, which the store does not follow (ELOOP)`,
    );
    expect(error.hint).toContain('replace the link');
    expect(await mode(target)).toBe(0o640);
    // The token manager stops there too, and the hot path does not serve through the link.
    const manager = new TokenManager({
      account,
      store,
      provider: { tokenUrl: 'https://id.example.test/token', clientId: 'c' },
    });
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(readCachedAccessToken(directory, account, 60)).toBeUndefined();
    expect(await mode(target)).toBe(0o640);
  });
});

describe('FileTokenStore refuses a store directory that is not private (POSIX)', () => {
  for (const loose of [0o777, 0o770, 0o722]) {
    it(`refuses mode ${loose.toString(8)} (writable by group or others), with the chmod 700 hint`, async () => {
      await new FileTokenStore({ directory }).set({ account, tokens: tokenSet() });
      await chmod(directory, loose);
      const store = new FileTokenStore({ directory });
      for (const attempt of [store.get(account), store.set({ account, tokens: tokenSet() }), store.list()]) {
        const error = await rejection(attempt);
        expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
        expect(error.message).toContain(`token directory "${directory}" is writable by`);
        expect(error.hint).toBe(`check its files, then: chmod 700 ${directory}`);
      }
      // Left as it was found: tightening it silently would hide that someone may have been there.
      expect(await mode(directory)).toBe(loose);
      await chmod(directory, 0o700);
      expect((await store.get(account))?.account).toBe(account);
    });
  }

  it.skipIf(!isRoot)('refuses a directory another user owns', async () => {
    await new FileTokenStore({ directory }).set({ account, tokens: tokenSet() });
    await chown(directory, 65534, 65534);
    const error = await rejection(new FileTokenStore({ directory }).get(account));
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect(error.message).toBe(
      `token directory "${directory}" belongs to another user (uid 65534, this is uid ${process.getuid?.()})`,
    );
    expect(error.hint).toContain('chmod 700');
    expect(readCachedAccessToken(directory, account, 60)).toBeUndefined();
  });
});

describe('readCachedAccessToken() and loose modes', () => {
  it('does not serve a 0644 file or from a 0755 directory, and serves again once the store tightened them', async () => {
    const store = new FileTokenStore({ directory });
    const tokens = tokenSet();
    await store.set({ account, tokens });
    expect(readCachedAccessToken(directory, account, 60)).toBe(tokens.accessToken);

    await chmod(store.pathOf(account), 0o644);
    expect(readCachedAccessToken(directory, account, 60)).toBeUndefined();
    await new FileTokenStore({ directory }).get(account); // the full path
    expect(await mode(store.pathOf(account))).toBe(0o600);
    expect(readCachedAccessToken(directory, account, 60)).toBe(tokens.accessToken);

    await chmod(directory, 0o755);
    expect(readCachedAccessToken(directory, account, 60)).toBeUndefined();
    await new FileTokenStore({ directory }).get(account);
    expect(await mode(directory)).toBe(0o700);
    expect(readCachedAccessToken(directory, account, 60)).toBe(tokens.accessToken);
    expect(JSON.parse(await readFile(store.pathOf(account), 'utf8')).tokens.access_token).toBe(
      tokens.accessToken,
    );
  });
});
