import { OAUTH_ABORTED, OAUTH_LOCK_TIMEOUT } from '@oauth-authorizer/core';
import { REDIS_STORE_LOCK_LOST, type RedisTokenStore } from '@oauth-authorizer/store-redis';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis-fixture.js';
import { fakeRecord, rejectsWithCode } from './token-fixtures.js';

const fixture = useRedis();
const { newStore } = fixture;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisTokenStore.lock()', () => {
  it('excludes a second client until the holder releases, then hands the lock over', async () => {
    const first = newStore('exclusion:');
    const second = newStore('exclusion:');
    const held = await first.lock('me@example.test');
    const timedOut = await rejectsWithCode(
      second.lock('me@example.test', { timeout: 150 }),
      OAUTH_LOCK_TIMEOUT,
    );
    expect(timedOut.transient).toBe(true);
    const waiting = second.lock('me@example.test', { timeout: 5_000 });
    await sleep(50);
    const released = Date.now();
    await held.release();
    const next = await waiting;
    expect(Date.now() - released).toBeLessThan(1_000);
    await next.release();
  });

  it('serialises read-modify-write sections of many callers in two clients', async () => {
    const stores = [newStore('contention:'), newStore('contention:')];
    const counterKey = 'contention:test-counter';
    await fixture.raw.set(counterKey, '0');
    const section = async (store: RedisTokenStore) => {
      const lock = await store.lock('me@example.test', { timeout: 20_000 });
      try {
        const value = Number(await fixture.raw.get(counterKey));
        await sleep(5);
        await fixture.raw.set(counterKey, String(value + 1));
      } finally {
        await lock.release();
      }
    };
    await Promise.all(
      Array.from({ length: 30 }, (_, index) => section(stores[index % 2] as RedisTokenStore)),
    );
    expect(await fixture.raw.get(counterKey)).toBe('30');
  });

  it('holds the lock as a random token with a lease, and deletes it on release', async () => {
    const store = newStore('lease-key:', { lockLease: 5_000 });
    const lock = await store.lock('me@example.test');
    const token = await fixture.raw.get('lease-key:lock:me@example.test');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const ttl = await fixture.raw.pttl('lease-key:lock:me@example.test');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await lock.release();
    await lock.release();
    expect(await fixture.raw.exists('lease-key:lock:me@example.test')).toBe(0);
  });

  it('takes over the lock of a crashed holder once its lease ends', async () => {
    const store = newStore('takeover:');
    // A holder that crashed leaves exactly this behind: its token, with the rest of its lease.
    await fixture.raw.set('takeover:lock:me@example.test', 'token-of-a-crashed-process', 'PX', 400);
    const started = Date.now();
    const lock = await store.lock('me@example.test', { timeout: 5_000 });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(2_000);
    await lock.release();
  });

  it('says how long the holder lease still runs when it times out', async () => {
    const store = newStore('timeout-message:');
    await fixture.raw.set('timeout-message:lock:me@example.test', 'someone-else', 'PX', 10_000);
    const error = await rejectsWithCode(store.lock('me@example.test', { timeout: 100 }), OAUTH_LOCK_TIMEOUT);
    expect(error.message).toMatch(/lease ends in \d+ ms/);
  });

  it('renews the lease while a refresh runs longer than the lease', async () => {
    // Renewed every 100 ms, a 1 s lease survives a holder stalled for most of a second (a loaded
    // machine); the waiter gives up after three leases would have ended.
    const holder = newStore('renewal:', { lockLease: 1_000, lockRenewInterval: 100 });
    const other = newStore('renewal:', { lockLease: 1_000 });
    const lock = await holder.lock('me@example.test');
    await holder.get('me@example.test');
    const waiter = rejectsWithCode(other.lock('me@example.test', { timeout: 3_000 }), OAUTH_LOCK_TIMEOUT);
    const ttls: number[] = [];
    for (let step = 0; step < 15; step++) {
      await sleep(200);
      ttls.push(await fixture.raw.pttl('renewal:lock:me@example.test'));
    }
    await waiter;
    expect(Math.min(...ttls)).toBeGreaterThan(0);
    const record = fakeRecord('me@example.test');
    await holder.set(record);
    await lock.release();
    expect(await other.get('me@example.test')).toEqual(record);
  });

  it('refuses a write under a lost lease when another holder wrote meanwhile, and writes nothing', async () => {
    const slow = newStore('fenced:');
    const fast = newStore('fenced:');
    await slow.set(fakeRecord('me@example.test'));
    const slowLock = await slow.lock('me@example.test');
    await slow.get('me@example.test');
    // The slow holder's lease runs out (as a long GC pause or a frozen VM would let it) …
    await fixture.raw.del('fenced:lock:me@example.test');
    // … another process takes the lock and stores newer tokens …
    const fastLock = await fast.lock('me@example.test', { timeout: 1_000 });
    await fast.get('me@example.test');
    const newer = fakeRecord('me@example.test');
    await fast.set(newer);
    // … and the slow holder's stale write must not overwrite them, whether or not the lock is still held.
    const refused = await rejectsWithCode(slow.set(fakeRecord('me@example.test')), REDIS_STORE_LOCK_LOST);
    expect(refused.transient).toBe(true);
    await fastLock.release();
    await rejectsWithCode(slow.set(fakeRecord('me@example.test')), REDIS_STORE_LOCK_LOST);
    expect(await fast.get('me@example.test')).toEqual(newer);
    await slowLock.release();
  });

  it('refuses the write when another holder took the lapsed lock, even before it wrote', async () => {
    const slow = newStore('fenced-taken:');
    const fast = newStore('fenced-taken:');
    const original = fakeRecord('me@example.test');
    await slow.set(original);
    const slowLock = await slow.lock('me@example.test');
    // No read under the lock: nothing vouches that the record is unchanged.
    await fixture.raw.del('fenced-taken:lock:me@example.test');
    const fastLock = await fast.lock('me@example.test', { timeout: 1_000 });
    await rejectsWithCode(slow.set(fakeRecord('me@example.test')), REDIS_STORE_LOCK_LOST);
    expect(await fast.get('me@example.test')).toEqual(original);
    await fastLock.release();
    await slowLock.release();
  });

  it('keeps a write under a lapsed lease when nobody wrote since it read, so a rotated token is not dropped', async () => {
    const store = newStore('fenced-unchanged:');
    await store.set(fakeRecord('me@example.test'));
    const lock = await store.lock('me@example.test');
    await store.get('me@example.test');
    await fixture.raw.del('fenced-unchanged:lock:me@example.test');
    const rotated = fakeRecord('me@example.test');
    await store.set(rotated);
    expect(await store.get('me@example.test')).toEqual(rotated);
    await lock.release();
  });

  it('never deletes a later holder lock when a holder whose lease ran out releases', async () => {
    const slow = newStore('release-safety:');
    const fast = newStore('release-safety:');
    const slowLock = await slow.lock('me@example.test');
    await fixture.raw.del('release-safety:lock:me@example.test');
    const fastLock = await fast.lock('me@example.test', { timeout: 1_000 });
    const fastToken = await fixture.raw.get('release-safety:lock:me@example.test');
    await slowLock.release();
    expect(await fixture.raw.get('release-safety:lock:me@example.test')).toBe(fastToken);
    await fastLock.release();
  });

  it('queues callers of one store in arrival order', async () => {
    const store = newStore('local-order:');
    const order: number[] = [];
    const first = await store.lock('me@example.test');
    const waiters = [1, 2, 3].map(async (index) => {
      const lock = await store.lock('me@example.test', { timeout: 5_000 });
      order.push(index);
      await sleep(5);
      await lock.release();
    });
    await sleep(20);
    await first.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('waits without a deadline when the timeout is Infinity, in this process and at Redis', async () => {
    const store = newStore('no-deadline:');
    const other = newStore('no-deadline:');
    const held = await store.lock('me@example.test');
    const local = store.lock('me@example.test', { timeout: Number.POSITIVE_INFINITY });
    const remote = other.lock('me@example.test', { timeout: Number.POSITIVE_INFINITY });
    await sleep(100);
    await held.release();
    const [first, second] = await Promise.race([
      Promise.all(
        [local, remote].map((waiting) =>
          waiting.then(async (lock) => {
            await sleep(10);
            await lock.release();
            return 'granted';
          }),
        ),
      ),
      sleep(5_000).then(() => ['stuck', 'stuck']),
    ]);
    expect([first, second]).toEqual(['granted', 'granted']);
  });

  it('gives independent locks to different accounts', async () => {
    const store = newStore('per-account:');
    const other = newStore('per-account:');
    const a = await store.lock('a@example.test');
    const b = await other.lock('b@example.test', { timeout: 100 });
    await Promise.all([a.release(), b.release()]);
  });

  it('stops waiting with OAUTH_ABORTED when the signal aborts', async () => {
    const store = newStore('abort:');
    await fixture.raw.set('abort:lock:me@example.test', 'someone-else', 'PX', 10_000);
    const controller = new AbortController();
    const waiting = store.lock('me@example.test', { timeout: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWithCode(waiting, OAUTH_ABORTED);
    // The turn in this process was given back: the next caller is not stuck behind the aborted one.
    await fixture.raw.del('abort:lock:me@example.test');
    const lock = await store.lock('me@example.test', { timeout: 1_000 });
    await lock.release();
  });
});
