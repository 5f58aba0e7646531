import { OAUTH_STORE_CORRUPT } from '@oauth-authorizer/core';
import { RedisTokenStore } from '@oauth-authorizer/store-redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';
import { errorText, expectNoTokenText, fakeRecord, fakeTokens, rejectsWithCode } from './token-fixtures.js';

const fixture = useRedis();
const { newStore } = fixture;

describe('RedisTokenStore records', () => {
  it('returns undefined for an account it never stored', async () => {
    const store = newStore('records-empty:');
    expect(await store.get('nobody@example.test')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('returns what set() wrote, tokens, settings and authorization mark included', async () => {
    const store = newStore('records-roundtrip:');
    const record = fakeRecord('me@example.test', {
      tokens: fakeTokens({ idToken: 'id-token-value', refreshTokenExpiresAt: Date.now() + 86_400_000 }),
      authorizationRequired: { since: Date.now() - 1000, reason: 'invalid_grant' },
    });
    await store.set(record);
    expect(await store.get('me@example.test')).toEqual(record);
  });

  it('replaces the previous record of the account on set()', async () => {
    const store = newStore('records-replace:');
    await store.set(fakeRecord('me@example.test'));
    const second = fakeRecord('me@example.test');
    await store.set(second);
    expect(await store.get('me@example.test')).toEqual(second);
    expect(await store.list()).toEqual(['me@example.test']);
  });

  it('lists stored accounts sorted, and forgets deleted ones', async () => {
    const store = newStore('records-list:');
    for (const account of ['zed@example.test', 'amy@example.test', 'work', 'name with spaces / and ü']) {
      await store.set(fakeRecord(account));
    }
    expect(await store.list()).toEqual([
      'amy@example.test',
      'name with spaces / and ü',
      'work',
      'zed@example.test',
    ]);
    await store.delete('work');
    await store.delete('never-stored');
    expect(await store.get('work')).toBeUndefined();
    expect(await store.list()).toEqual(['amy@example.test', 'name with spaces / and ü', 'zed@example.test']);
  });

  it('keeps stores with different key prefixes apart on one Redis', async () => {
    const staging = newStore('isolation-staging:');
    const production = newStore('isolation-production:');
    const stagingRecord = fakeRecord('shared@example.test');
    const productionRecord = fakeRecord('shared@example.test');
    await staging.set(stagingRecord);
    await production.set(productionRecord);
    await staging.set(fakeRecord('only-staging@example.test'));
    expect(await staging.get('shared@example.test')).toEqual(stagingRecord);
    expect(await production.get('shared@example.test')).toEqual(productionRecord);
    expect(await production.list()).toEqual(['shared@example.test']);
    expect(await staging.list()).toEqual(['only-staging@example.test', 'shared@example.test']);
    await production.delete('shared@example.test');
    expect(await staging.get('shared@example.test')).toEqual(stagingRecord);
  });

  it('stores each record under <prefix>account:<name> and the names in <prefix>accounts', async () => {
    const store = newStore('layout:');
    await store.set(fakeRecord('me@example.test'));
    expect(await fixture.raw.type('layout:account:me@example.test')).toBe('string');
    expect(await fixture.raw.smembers('layout:accounts')).toEqual(['me@example.test']);
    expect(store.recordKey('me@example.test')).toBe('layout:account:me@example.test');
    expect(store.lockKey('me@example.test')).toBe('layout:lock:me@example.test');
  });

  it('sets no TTL on a record whose refresh token has no known expiry', async () => {
    const store = newStore('ttl-none:');
    await store.set(fakeRecord('me@example.test'));
    expect(await fixture.raw.pttl('ttl-none:account:me@example.test')).toBe(-1);
  });

  it('expires a record no earlier than its refresh token expiry plus the grace', async () => {
    const store = newStore('ttl-known:', { recordExpiryGrace: 60_000 });
    const refreshTokenExpiresAt = Date.now() + 3_600_000;
    await store.set(fakeRecord('me@example.test', { tokens: fakeTokens({ refreshTokenExpiresAt }) }));
    const ttl = await fixture.raw.pttl('ttl-known:account:me@example.test');
    expect(ttl).toBeGreaterThan(refreshTokenExpiresAt + 60_000 - Date.now() - 1_000);
    expect(ttl).toBeLessThanOrEqual(refreshTokenExpiresAt + 60_000 - Date.now() + 1_000);
  });

  it('drops an earlier TTL when the new record has no refresh token expiry', async () => {
    const store = newStore('ttl-dropped:');
    await store.set(
      fakeRecord('me@example.test', { tokens: fakeTokens({ refreshTokenExpiresAt: Date.now() + 1000 }) }),
    );
    expect(await fixture.raw.pttl('ttl-dropped:account:me@example.test')).toBeGreaterThan(0);
    await store.set(fakeRecord('me@example.test'));
    expect(await fixture.raw.pttl('ttl-dropped:account:me@example.test')).toBe(-1);
  });

  it('sets no TTL at all with recordExpiryGrace: false', async () => {
    const store = newStore('ttl-off:', { recordExpiryGrace: false });
    await store.set(
      fakeRecord('me@example.test', { tokens: fakeTokens({ refreshTokenExpiresAt: Date.now() + 1000 }) }),
    );
    expect(await fixture.raw.pttl('ttl-off:account:me@example.test')).toBe(-1);
  });

  it('leaves an expired record out of list() and get()', async () => {
    const store = newStore('ttl-expired:', { recordExpiryGrace: 0 });
    await store.set(
      fakeRecord('short@example.test', { tokens: fakeTokens({ refreshTokenExpiresAt: Date.now() + 50 }) }),
    );
    await store.set(fakeRecord('long@example.test'));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.get('short@example.test')).toBeUndefined();
    expect(await store.list()).toEqual(['long@example.test']);
    expect(await fixture.raw.smembers('ttl-expired:accounts')).toEqual(['long@example.test']);
  });

  it('throws OAUTH_STORE_CORRUPT for a value that is not JSON, without quoting it', async () => {
    const store = newStore('corrupt-json:');
    await fixture.raw.set(
      'corrupt-json:account:me@example.test',
      '{"version":1,"tokens":{"access_token":"leaked-secret',
    );
    const error = await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_CORRUPT);
    expect(error.message).toContain('me@example.test');
    expect(errorText(error)).not.toContain('leaked-secret');
  });

  it('throws OAUTH_STORE_CORRUPT for a record of another account copied under this key', async () => {
    const store = newStore('corrupt-copied:');
    const other = fakeRecord('other@example.test');
    await store.set(other);
    await fixture.raw.copy(
      'corrupt-copied:account:other@example.test',
      'corrupt-copied:account:me@example.test',
    );
    const error = await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_CORRUPT);
    expect(error.message).toContain('other@example.test');
    expectNoTokenText(errorText(error), other);
  });

  it('throws OAUTH_STORE_CORRUPT for a record with a token set of the wrong shape', async () => {
    const store = newStore('corrupt-shape:');
    await fixture.raw.set(
      'corrupt-shape:account:me@example.test',
      JSON.stringify({ version: 1, account: 'me@example.test', tokens: { access_token: 42 } }),
    );
    const error = await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_CORRUPT);
    expect(error.message).toContain('access_token');
  });

  it('throws OAUTH_STORE_CORRUPT for a key that holds another Redis type', async () => {
    const store = newStore('corrupt-type:');
    await fixture.raw.hset('corrupt-type:account:me@example.test', 'access_token', 'hash-secret');
    const error = await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_CORRUPT);
    expect(errorText(error)).not.toContain('hash-secret');
  });

  it('writes nothing when the account index key holds another Redis type', async () => {
    const store = newStore('corrupt-index:');
    await fixture.raw.set('corrupt-index:accounts', 'not a set');
    await rejectsWithCode(store.set(fakeRecord('me@example.test')), OAUTH_STORE_CORRUPT);
    expect(await fixture.raw.exists('corrupt-index:account:me@example.test')).toBe(0);
    await rejectsWithCode(store.list(), OAUTH_STORE_CORRUPT);
  });

  it('replaces a corrupt value on set(), so authorizing again repairs the account', async () => {
    const store = newStore('corrupt-repaired:');
    await fixture.raw.set('corrupt-repaired:account:me@example.test', 'garbage');
    const record = fakeRecord('me@example.test');
    await store.set(record);
    expect(await store.get('me@example.test')).toEqual(record);
  });

  it('rejects invalid records and account names with a TypeError before touching Redis', async () => {
    const store = newStore('invalid:');
    await expect(store.set({ account: '' })).rejects.toThrow(TypeError);
    await expect(store.set({ account: 'a\nb' })).rejects.toThrow(TypeError);
    await expect(store.set({ account: 'me', tokens: { ...fakeTokens(), accessToken: '' } })).rejects.toThrow(
      /tokens\.accessToken/,
    );
    await expect(store.get('')).rejects.toThrow(TypeError);
    expect(await fixture.raw.keys('invalid:*')).toEqual([]);
  });

  it('rejects invalid options with a TypeError', () => {
    expect(() => new RedisTokenStore({ redis: fixture.redis.url, encryptionKey: Buffer.alloc(16) })).toThrow(
      /32 bytes/,
    );
    expect(
      () => new RedisTokenStore({ redis: fixture.redis.url, lockLease: 1000, lockRenewInterval: 1000 }),
    ).toThrow(/shorter/);
    expect(() => new RedisTokenStore({ redis: fixture.redis.url, lockLease: -1 })).toThrow(TypeError);
    expect(() => new RedisTokenStore({ redis: 42 as never })).toThrow(TypeError);
  });

  it('uses a client it was given and leaves it open on close()', async () => {
    const client = new Redis(fixture.redis.url);
    const store = new RedisTokenStore({ redis: client, keyPrefix: 'given-client:', plaintext: true });
    const record = fakeRecord('me@example.test');
    await store.set(record);
    expect(await store.get('me@example.test')).toEqual(record);
    await store.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});
