import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizerError, FileTokenStore, type StoredAccount } from '@oauth-authorizer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_KEYRING_ENTRY_MISSING, CLI_KEYRING_LOCKED, cliError } from '../src/errors.js';
import { KeyringTokenStore } from '../src/keyring-store.js';
import type { SecretKeyring } from '../src/os-keyring.js';

/** A keyring in memory that counts its writes and can be made to fail. */
class MemoryKeyring implements SecretKeyring {
  readonly entries = new Map<string, string>();
  writes = 0;
  failing: Error | undefined;

  async read(account: string): Promise<string | undefined> {
    if (this.failing) throw this.failing;
    return this.entries.get(account);
  }

  async write(account: string, secret: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.writes++;
    this.entries.set(account, secret);
  }

  async remove(account: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.entries.delete(account);
  }
}

const REFRESH_TOKEN = 'rt-0123456789-secret';
const CLIENT_SECRET = 'cs-0123456789-secret';

function record(settings: Record<string, unknown>, refreshToken = REFRESH_TOKEN): StoredAccount {
  return {
    account: 'me@example.test',
    tokens: {
      accessToken: 'at-fresh',
      tokenType: 'Bearer',
      refreshToken,
      expiresAt: Date.now() + 3_600_000,
      obtainedAt: Date.now(),
      extra: {},
    },
    settings: { version: 1, clientSecret: 'stored', clientSecretValue: CLIENT_SECRET, ...settings },
  };
}

let directory: string;
let file: FileTokenStore;
let keyring: MemoryKeyring;
let store: KeyringTokenStore;
let opened: number;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-keyring-store-'));
  file = new FileTokenStore({ directory });
  keyring = new MemoryKeyring();
  opened = 0;
  store = new KeyringTokenStore(file, () => {
    opened++;
    return keyring;
  });
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const fileText = () => readFile(join(directory, 'me@example.test.json'), 'utf8');

describe('KeyringTokenStore', () => {
  it('keeps a file account whole in its file and never opens the keyring', async () => {
    await store.set(record({}));
    expect(await fileText()).toContain(REFRESH_TOKEN);
    expect(await store.get('me@example.test')).toEqual(await file.get('me@example.test'));
    await store.delete('me@example.test');
    expect(opened).toBe(0);
  });

  it('splits a keyring account: secrets in the keyring, the rest in the file; get joins them', async () => {
    const written = record({ store: 'keyring' });
    await store.set(written);
    const text = await fileText();
    expect(text).not.toContain(REFRESH_TOKEN);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).toContain('at-fresh');
    expect(JSON.parse(keyring.entries.get('me@example.test') as string)).toEqual({
      v: 1,
      refresh_token: REFRESH_TOKEN,
      client_secret: CLIENT_SECRET,
    });
    expect(await store.get('me@example.test')).toEqual(written);
    // A fresh store (a new process) reads the same record.
    const again = new KeyringTokenStore(file, () => keyring);
    expect(await again.get('me@example.test')).toEqual(written);
  });

  it('does not write an entry again that it just read or wrote unchanged, and writes a rotated one', async () => {
    await store.set(record({ store: 'keyring' }));
    expect(keyring.writes).toBe(1);
    const read = (await store.get('me@example.test')) as StoredAccount;
    await store.set({
      ...read,
      lastRefreshError: { at: Date.now(), code: 'OAUTH_NETWORK_ERROR', message: 'down' },
    });
    expect(keyring.writes).toBe(1);
    await store.set(record({ store: 'keyring' }, 'rt-rotated-secret'));
    expect(keyring.writes).toBe(2);
    expect(keyring.entries.get('me@example.test')).toContain('rt-rotated-secret');
  });

  it('writes the keyring first: when it fails, the file keeps the previous record', async () => {
    await store.set(record({ store: 'keyring' }));
    const before = await fileText();
    keyring.failing = cliError(CLI_KEYRING_LOCKED, 'locked');
    const rotated = record({ store: 'keyring' }, 'rt-rotated-secret');
    await expect(
      store.set({ ...rotated, tokens: { ...rotated.tokens!, accessToken: 'at-new' } }),
    ).rejects.toMatchObject({
      code: CLI_KEYRING_LOCKED,
    });
    expect(await fileText()).toBe(before);
  });

  it('a missing or foreign keyring entry is CLI_KEYRING_ENTRY_MISSING, never quoting the entry', async () => {
    await store.set(record({ store: 'keyring' }));
    keyring.entries.set('me@example.test', 'hunter2-not-json');
    const foreign = await new KeyringTokenStore(file, () => keyring).get('me@example.test').catch((e) => e);
    expect(foreign).toBeInstanceOf(AuthorizerError);
    expect(foreign.code).toBe(CLI_KEYRING_ENTRY_MISSING);
    expect(foreign.message).not.toContain('hunter2');
    keyring.entries.clear();
    await expect(new KeyringTokenStore(file, () => keyring).get('me@example.test')).rejects.toMatchObject({
      code: CLI_KEYRING_ENTRY_MISSING,
    });
  });

  it('delete removes the keyring entry with the file; getWithoutSecrets opens no keyring', async () => {
    await store.set(record({ store: 'keyring' }));
    const fresh = new KeyringTokenStore(file, () => {
      throw new Error('must not open the keyring');
    });
    expect((await fresh.getWithoutSecrets('me@example.test'))?.tokens?.refreshToken).toBeUndefined();
    await store.delete('me@example.test');
    expect(keyring.entries.size).toBe(0);
    expect(await file.get('me@example.test')).toBeUndefined();
  });
});
