import { randomBytes } from 'node:crypto';
import { OAUTH_STORE_CORRUPT, type StoredAccount } from '@oauth-authorizer/core';
import { REDIS_STORE_DECRYPT_FAILED, RedisTokenStore } from '@oauth-authorizer/store-redis';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';
import { errorText, expectNoTokenText, fakeRecord, fakeTokens, rejectsWithCode } from './token-fixtures.js';

const fixture = useRedis();
const { newStore } = fixture;

describe('RedisTokenStore encryption at rest', () => {
  it('stores no token, scope or setting in clear, and reads the record back', async () => {
    const store = newStore('enc-clear:', { encryptionKey: randomBytes(32) });
    const record = fakeRecord('me@example.test', { tokens: fakeTokens({ idToken: 'id-token-in-clear?' }) });
    await store.set(record);
    const stored = (await fixture.raw.get('enc-clear:account:me@example.test')) as string;
    expectNoTokenText(stored, record);
    expect(stored).not.toContain('offline_access');
    expect(stored).not.toContain('native-app');
    expect(JSON.parse(stored)).toMatchObject({ version: 1, encrypted: { alg: 'A256GCM' } });
    expect(await store.get('me@example.test')).toEqual(record);
  });

  it('writes a new IV every time, so equal records give different values', async () => {
    const store = newStore('enc-iv:', { encryptionKey: randomBytes(32) });
    const record = fakeRecord('me@example.test');
    await store.set(record);
    const first = JSON.parse((await fixture.raw.get('enc-iv:account:me@example.test')) as string);
    await store.set(record);
    const second = JSON.parse((await fixture.raw.get('enc-iv:account:me@example.test')) as string);
    expect(first.encrypted.iv).not.toBe(second.encrypted.iv);
    expect(first.encrypted.data).not.toBe(second.encrypted.data);
  });

  it('requires an explicit choice: an encryptionKey or plaintext: true, else a TypeError saying why', () => {
    const redis = fixture.redis.url;
    expect(() => new RedisTokenStore({ redis })).toThrow(
      /needs "encryptionKey" .*refresh tokens and client secrets.* or "plaintext: true"/,
    );
    expect(() => new RedisTokenStore({ redis, plaintext: false })).toThrow(/needs "encryptionKey"/);
    expect(() => new RedisTokenStore({ redis, plaintext: 'yes' as never })).toThrow(
      /"plaintext" must be a boolean/,
    );
    expect(() => new RedisTokenStore({ redis, plaintext: true, encryptionKey: randomBytes(32) })).toThrow(
      /exclude each other/,
    );
    expect(() => new RedisTokenStore({ redis, decryptionKeys: [randomBytes(32)] })).toThrow(TypeError);
  });

  it('stores tokens in clear with plaintext: true (the control for the tests above)', async () => {
    const store = newStore('enc-none:', { plaintext: true });
    const record = fakeRecord('me@example.test');
    await store.set(record);
    expect(await fixture.raw.get('enc-none:account:me@example.test')).toContain(record.tokens?.refreshToken);
  });

  it('throws REDIS_STORE_DECRYPT_FAILED with the wrong key, naming the account and no token', async () => {
    const writer = newStore('enc-wrong:', { encryptionKey: randomBytes(32) });
    const reader = newStore('enc-wrong:', { encryptionKey: randomBytes(32) });
    const record = fakeRecord('me@example.test');
    await writer.set(record);
    const error = await rejectsWithCode(reader.get('me@example.test'), REDIS_STORE_DECRYPT_FAILED);
    expect(error.message).toContain('me@example.test');
    expect(error.hint).toContain('encryptionKey');
    expectNoTokenText(errorText(error), record);
  });

  it('reads records written with an older key listed in decryptionKeys, and writes with the new one', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = newStore('enc-rotate:', { encryptionKey: oldKey });
    const after = newStore('enc-rotate:', { encryptionKey: newKey, decryptionKeys: [oldKey] });
    const newOnly = newStore('enc-rotate:', { encryptionKey: newKey });
    const record = fakeRecord('me@example.test');
    await before.set(record);
    await rejectsWithCode(newOnly.get('me@example.test'), REDIS_STORE_DECRYPT_FAILED);
    expect(await after.get('me@example.test')).toEqual(record);
    await after.set(record);
    expect(await newOnly.get('me@example.test')).toEqual(record);
  });

  it('rotates through a list of keys, newest first: records of every listed key stay readable', async () => {
    const [oldest, older, current] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const records = ['a@example.test', 'b@example.test', 'c@example.test'].map((name) => fakeRecord(name));
    await newStore('enc-list:', { encryptionKey: oldest }).set(records[0] as StoredAccount);
    await newStore('enc-list:', { encryptionKey: older }).set(records[1] as StoredAccount);
    const rotated = newStore('enc-list:', { encryptionKey: current, decryptionKeys: [older, oldest] });
    await rotated.set(records[2] as StoredAccount);
    for (const record of records) expect(await rotated.get(record.account)).toEqual(record);
    // Dropping a key too early makes its records unreadable, and says so.
    const dropped = newStore('enc-list:', { encryptionKey: current, decryptionKeys: [older] });
    await rejectsWithCode(dropped.get('a@example.test'), REDIS_STORE_DECRYPT_FAILED);
  });

  it('refuses a value copied under another account, because the key is authenticated', async () => {
    const store = newStore('enc-copied:', { encryptionKey: randomBytes(32) });
    await store.set(fakeRecord('victim@example.test'));
    await fixture.raw.copy(
      'enc-copied:account:victim@example.test',
      'enc-copied:account:attacker@example.test',
    );
    await rejectsWithCode(store.get('attacker@example.test'), REDIS_STORE_DECRYPT_FAILED);
  });

  it('refuses a value whose ciphertext was changed', async () => {
    const store = newStore('enc-tampered:', { encryptionKey: randomBytes(32) });
    await store.set(fakeRecord('me@example.test'));
    const stored = JSON.parse((await fixture.raw.get('enc-tampered:account:me@example.test')) as string);
    const data = Buffer.from(stored.encrypted.data, 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    stored.encrypted.data = data.toString('base64url');
    await fixture.raw.set('enc-tampered:account:me@example.test', JSON.stringify(stored));
    await rejectsWithCode(store.get('me@example.test'), REDIS_STORE_DECRYPT_FAILED);
  });

  it('refuses a plain record when it requires encryption, and an encrypted one when it has no key', async () => {
    const plain = newStore('enc-mixed:', { plaintext: true });
    const sealed = newStore('enc-mixed:', { encryptionKey: randomBytes(32) });
    await plain.set(fakeRecord('plain@example.test'));
    await sealed.set(fakeRecord('sealed@example.test'));
    const unencrypted = await rejectsWithCode(sealed.get('plain@example.test'), REDIS_STORE_DECRYPT_FAILED);
    expect(unencrypted.message).toContain('unencrypted');
    const noKey = await rejectsWithCode(plain.get('sealed@example.test'), REDIS_STORE_DECRYPT_FAILED);
    expect(noKey.message).toContain('no encryptionKey');
  });

  it('throws OAUTH_STORE_CORRUPT for an envelope with fields missing', async () => {
    const store = newStore('enc-envelope:', { encryptionKey: randomBytes(32) });
    await fixture.raw.set(
      'enc-envelope:account:me@example.test',
      JSON.stringify({ version: 1, encrypted: { alg: 'A256GCM' } }),
    );
    await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_CORRUPT);
  });
});
