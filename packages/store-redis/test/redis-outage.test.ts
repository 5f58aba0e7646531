import { OAUTH_STORE_UNAVAILABLE, type StoredAccount } from '@oauth-authorizer/core';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';
import { errorText, expectNoTokenText, fakeRecord, rejectsWithCode } from './token-fixtures.js';

const fixture = useRedis({ redis: { appendOnly: true }, store: { readyTimeout: 300 } });
const { newStore } = fixture;

/** Retries `operation` until it succeeds or `ms` pass: the client reconnects with back-off. */
async function eventually<T>(operation: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('RedisTokenStore while Redis is down', () => {
  it('fails every operation at once with a transient OAUTH_STORE_UNAVAILABLE, and loses nothing', async () => {
    const store = newStore('outage:');
    const stored = fakeRecord('me@example.test');
    await store.set(stored);
    await fixture.redis.stop();
    try {
      const attempted = fakeRecord('me@example.test');
      const started = Date.now();
      const failures = [
        await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_UNAVAILABLE),
        await rejectsWithCode(store.set(attempted), OAUTH_STORE_UNAVAILABLE),
        await rejectsWithCode(store.delete('me@example.test'), OAUTH_STORE_UNAVAILABLE),
        await rejectsWithCode(store.list(), OAUTH_STORE_UNAVAILABLE),
        await rejectsWithCode(store.lock('me@example.test', { timeout: 5_000 }), OAUTH_STORE_UNAVAILABLE),
      ];
      // Each waits readyTimeout (300 ms) for a reconnection, not the lock timeout or longer.
      expect(Date.now() - started).toBeLessThan(5 * 1_000);
      for (const error of failures) {
        expect(error.transient).toBe(true);
        expect(error.message).toMatch(/Redis is unavailable/);
        expectNoTokenText(errorText(error), stored);
        expectNoTokenText(errorText(error), attempted);
      }
    } finally {
      await fixture.redis.start();
    }
    expect(await eventually(() => store.get('me@example.test'))).toEqual(stored);
    const after = fakeRecord('me@example.test');
    await store.set(after);
    expect(await store.get('me@example.test')).toEqual(after);
  });

  it('leaves the old or the new record, never a broken one, when Redis dies during writes', async () => {
    const store = newStore('crash-during-writes:');
    const records: StoredAccount[] = [];
    let acknowledged = -1;
    let failure: unknown;
    const writing = (async () => {
      // Writes until Redis is gone, each one awaited, as a refresher storing rotated tokens would.
      for (let index = 0; index < 100_000; index++) {
        const record = fakeRecord('me@example.test');
        records.push(record);
        try {
          await store.set(record);
          acknowledged = index;
        } catch (error) {
          failure = error;
          return;
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fixture.redis.stop({ signal: 'SIGKILL' });
    await writing;
    expect(acknowledged).toBeGreaterThanOrEqual(0);
    expect((failure as { code?: string }).code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect((failure as { transient?: boolean }).transient).toBe(true);
    await fixture.redis.start();
    const survivor = await eventually(() => store.get('me@example.test'));
    // The last acknowledged write survives a crash (appendfsync always); the one in flight may
    // have landed or not, but never in part.
    expect([records[acknowledged], records[acknowledged + 1]]).toContainEqual(survivor);
  });

  it('fails with a transient OAUTH_STORE_UNAVAILABLE when Redis hangs instead of waiting forever', async () => {
    const store = newStore('hung:', {
      redis: { host: '127.0.0.1', port: fixture.redis.port, commandTimeout: 300 },
    });
    const record = fakeRecord('me@example.test');
    await store.set(record);
    const pid = fixture.redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const error = await rejectsWithCode(store.get('me@example.test'), OAUTH_STORE_UNAVAILABLE);
      expect(error.transient).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await eventually(() => store.get('me@example.test'))).toEqual(record);
  });

  it('connects lazily: a store made while Redis is down works once Redis is up', async () => {
    await fixture.redis.stop();
    const store = newStore('late-start:');
    try {
      await rejectsWithCode(store.list(), OAUTH_STORE_UNAVAILABLE);
    } finally {
      await fixture.redis.start();
    }
    expect(await eventually(() => store.list())).toEqual([]);
  });
});
