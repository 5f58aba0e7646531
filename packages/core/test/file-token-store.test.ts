import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileTokenStore,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_STORE_CORRUPT,
  type StoredAccount,
  TokenManager,
  type TokenSet,
} from '@oauth-authorizer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection, tokenSet } from './token-fixtures.js';

const account = 'me@example.test';

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

let root: string;
let directory: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'file-token-store-'));
  directory = join(root, 'accounts');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileTokenStore', () => {
  it('creates the directory 0700 and token files 0600', async () => {
    const store = new FileTokenStore({ directory });
    await store.set({ account, tokens: tokenSet() });
    expect(await mode(directory)).toBe(0o700);
    expect(await mode(store.pathOf(account))).toBe(0o600);
  });

  it('tightens a directory and a token file found readable by others', async () => {
    await new FileTokenStore({ directory }).set({ account, tokens: tokenSet() });
    const path = join(directory, 'me@example.test.json');
    await chmod(directory, 0o755);
    await chmod(path, 0o644);
    const store = new FileTokenStore({ directory });
    expect((await store.get(account))?.account).toBe(account);
    expect(await mode(directory)).toBe(0o700);
    expect(await mode(path)).toBe(0o600);
  });

  it('reads back exactly what it wrote: tokens, the authorization mark and settings', async () => {
    const store = new FileTokenStore({ directory });
    const record: StoredAccount = {
      account,
      tokens: tokenSet({
        idToken: 'id-1',
        refreshTokenExpiresAt: Date.now() + 86_400_000,
        extra: { ext: 1 },
      }),
      authorizationRequired: { since: Date.now(), reason: 'invalid_grant: grant request is invalid' },
      // A regression: the file store dropped the token manager's note, so `status` never saw it.
      lastRefreshError: { at: Date.now(), code: 'OAUTH_ERROR_RESPONSE', message: 'invalid_grant' },
      settings: { preset: 'custom', clientId: 'native-app', scopes: ['openid', 'mail'] },
    };
    await store.set(record);
    expect(await store.get(account)).toEqual(record);
    expect(await store.get('nobody@example.test')).toBeUndefined();
  });

  it('writes the documented JSON format: version 1, wire names, ISO 8601 dates', async () => {
    const store = new FileTokenStore({ directory });
    const tokens = tokenSet();
    await store.set({ account, tokens, authorizationRequired: { since: 0, reason: 'invalid_grant' } });
    const json = JSON.parse(await readFile(store.pathOf(account), 'utf8'));
    expect(json).toEqual({
      version: 1,
      account,
      tokens: {
        access_token: tokens.accessToken,
        token_type: 'Bearer',
        expires_at: new Date(tokens.expiresAt as number).toISOString(),
        refresh_token: tokens.refreshToken,
        scope: tokens.scope,
        obtained_at: new Date(tokens.obtainedAt).toISOString(),
      },
      authorization_required: { since: '1970-01-01T00:00:00.000Z', reason: 'invalid_grant' },
    });
  });

  it('encodes account names so that none can leave the directory or collide, and list() decodes them', async () => {
    const store = new FileTokenStore({ directory });
    const names = [
      '../../escape',
      'Me@Example.test',
      'me@example.test',
      '.hidden',
      'a/b\\c',
      'con',
      'ü ñ 名前',
      '%41',
    ];
    for (const name of names) await store.set({ account: name, tokens: tokenSet() });
    const files = await readdir(directory);
    expect(files.filter((file) => file.endsWith('.json'))).toHaveLength(names.length);
    for (const file of files) {
      expect(file).toMatch(/^[a-z0-9_@+\-.%A-F]+\.json$/);
      expect(file.startsWith('.')).toBe(false);
    }
    expect(await readdir(root)).toEqual(['accounts']);
    expect(await store.list()).toEqual([...names].sort());
    for (const name of names) expect((await store.get(name))?.account).toBe(name);
  });

  it('lists only token files, ignoring lock, temp and foreign files', async () => {
    const store = new FileTokenStore({ directory });
    await store.set({ account, tokens: tokenSet() });
    await writeFile(join(directory, '.me@example.test.0123456789ab.tmp'), '{"version":1,');
    await writeFile(join(directory, 'me@example.test.lock'), '{}');
    await writeFile(join(directory, 'README.txt'), 'hello');
    await writeFile(join(directory, 'Not%zzCanonical.json'), '{}');
    expect(await store.list()).toEqual([account]);
  });

  it('deletes a record, and deleting a missing one is no error', async () => {
    const store = new FileTokenStore({ directory });
    await store.set({ account, tokens: tokenSet() });
    await store.delete(account);
    expect(await store.get(account)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    await store.delete(account);
  });

  it('replaces the file atomically: concurrent readers always see a whole old or new record', async () => {
    const store = new FileTokenStore({ directory });
    const reader = new FileTokenStore({ directory });
    const written = new Set<string>();
    const first = tokenSet();
    written.add(first.accessToken);
    await store.set({ account, tokens: first });
    let reads = 0;
    let writing = true;
    const readLoop = (async () => {
      while (writing) {
        const record = await reader.get(account);
        expect(written.has(record?.tokens?.accessToken as string)).toBe(true);
        reads += 1;
      }
    })();
    for (let i = 0; i < 100; i++) {
      // A big extra field makes each write take long enough to overlap many reads.
      const tokens = tokenSet({ extra: { padding: 'x'.repeat(64 * 1024), i } });
      written.add(tokens.accessToken);
      await store.set({ account, tokens });
    }
    writing = false;
    await readLoop;
    expect(reads).toBeGreaterThan(10);
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a temp file a crashed writer left, and removes it once it is old', async () => {
    const store = new FileTokenStore({ directory });
    await store.set({ account, tokens: tokenSet() });
    const fresh = join(directory, '.me@example.test.aaaaaaaaaaaa.tmp');
    const old = join(directory, '.me@example.test.bbbbbbbbbbbb.tmp');
    await writeFile(fresh, '{"version":1,"acc');
    await writeFile(old, '{"version":1,"acc');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, anHourAgo, anHourAgo);
    const later = new FileTokenStore({ directory });
    expect((await later.get(account))?.account).toBe(account);
    await later.set({ account, tokens: tokenSet() });
    const left = await readdir(directory);
    expect(left).toContain('.me@example.test.aaaaaaaaaaaa.tmp');
    expect(left).not.toContain('.me@example.test.bbbbbbbbbbbb.tmp');
  });

  it('reports a corrupt file as OAUTH_STORE_CORRUPT naming the file, without quoting its content', async () => {
    const store = new FileTokenStore({ directory });
    await mkdir(directory, { recursive: true });
    const path = store.pathOf(account);
    const content =
      '{"version":1,"account":"me@example.test","tokens":{"access_token":"secret-access-token-1234';
    await writeFile(path, content, { mode: 0o600 });
    const error = await rejection(store.get(account));
    expect(error.code).toBe(OAUTH_STORE_CORRUPT);
    expect(error.message).toContain(path);
    expect(error.message).not.toContain('secret-access-token');
    expect(String(error.cause ?? '')).not.toContain('secret-access-token');
    // Core names no CLI command (a service may have none); the CLI adds its own when it prints.
    expect(error.hint).toBe('inspect or move the file away, then authorize the account again');
  });

  it('reports wrong shapes as OAUTH_STORE_CORRUPT: empty file, wrong version, another account, bad tokens', async () => {
    const store = new FileTokenStore({ directory });
    await mkdir(directory, { recursive: true });
    const path = store.pathOf(account);
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['[]', 'JSON object'],
      ['{"version":2,"account":"me@example.test"}', '"version" must be 1'],
      ['{"version":1,"account":"other@example.test"}', 'expected "me@example.test"'],
      ['{"version":1,"account":"me@example.test","tokens":{"token_type":"Bearer"}}', '"access_token"'],
    ];
    for (const [content, problem] of cases) {
      await writeFile(path, content);
      const error = await rejection(store.get(account));
      expect(error.code).toBe(OAUTH_STORE_CORRUPT);
      expect(error.message).toContain(problem);
    }
  });

  it('never overwrites a corrupt file through the token manager', async () => {
    const store = new FileTokenStore({ directory });
    await mkdir(directory, { recursive: true });
    const path = store.pathOf(account);
    await writeFile(path, 'garbage that is not JSON');
    let refreshes = 0;
    const manager = new TokenManager({
      account,
      store,
      provider: { tokenUrl: 'https://id.example.test/token', clientId: 'c' },
      refresh: async () => {
        refreshes += 1;
        return tokenSet();
      },
    });
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_STORE_CORRUPT);
    expect((await rejection(manager.getAccessToken({ forceRefresh: true }))).code).toBe(OAUTH_STORE_CORRUPT);
    expect(await readFile(path, 'utf8')).toBe('garbage that is not JSON');
    expect(refreshes).toBe(0);
  });

  it('lets an explicit set() (a fresh authorization) replace a corrupt file', async () => {
    const store = new FileTokenStore({ directory });
    await mkdir(directory, { recursive: true });
    await writeFile(store.pathOf(account), 'garbage');
    const tokens = tokenSet();
    await store.set({ account, tokens });
    expect((await store.get(account))?.tokens).toEqual(tokens);
  });

  it('keeps the tokens of an account marked as needing authorization, and the manager refuses it', async () => {
    const store = new FileTokenStore({ directory });
    const tokens = tokenSet();
    await store.set({
      account,
      tokens,
      authorizationRequired: { since: Date.now(), reason: 'invalid_grant' },
    });
    const manager = new TokenManager({
      account,
      store,
      provider: { tokenUrl: 'https://id.example.test/token', clientId: 'c' },
    });
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect((await store.get(account))?.tokens).toEqual(tokens);
  });

  it('rejects bad arguments with a TypeError', async () => {
    expect(() => new FileTokenStore({ directory: '' })).toThrow(TypeError);
    expect(() => new FileTokenStore({ directory, lockStaleAfter: 0 })).toThrow(TypeError);
    const store = new FileTokenStore({ directory });
    await expect(store.get('')).rejects.toThrow(TypeError);
    await expect(store.get('x'.repeat(300))).rejects.toThrow(TypeError);
    await expect(store.set({ account, tokens: { accessToken: '' } as TokenSet })).rejects.toThrow(TypeError);
  });
});
