import { MemoryTokenStore, OAUTH_ABORTED, OAUTH_LOCK_TIMEOUT, type TokenSet } from '@oauth-authorizer/core';
import { describe, expect, it } from 'vitest';
import { rejection, tokenSet } from './token-fixtures.js';

const account = 'me@example.test';

describe('MemoryTokenStore', () => {
  it('stores copies: changing a record after set() or get() does not change what is stored', async () => {
    const tokens = tokenSet();
    const store = new MemoryTokenStore();
    const record = { account, tokens: { ...tokens }, settings: { scopes: ['mail'] } };
    await store.set(record);
    record.tokens.accessToken = 'changed';
    const read = await store.get(account);
    expect(read?.tokens?.accessToken).toBe(tokens.accessToken);
    (read?.settings?.scopes as string[] | undefined)?.push('more');
    expect(read?.settings?.scopes).toEqual(['mail', 'more']);
    expect((await store.get(account))?.settings).toEqual({ scopes: ['mail'] });
  });

  it('lists, deletes and starts from given records', async () => {
    const store = new MemoryTokenStore([
      { account: 'b@example.test', tokens: tokenSet() },
      { account: 'a@example.test', tokens: tokenSet() },
    ]);
    expect(await store.list()).toEqual(['a@example.test', 'b@example.test']);
    await store.delete('a@example.test');
    await store.delete('a@example.test');
    expect(await store.list()).toEqual(['b@example.test']);
    expect(await store.get('a@example.test')).toBeUndefined();
  });

  it('grants the lock of an account to one holder at a time, in arrival order', async () => {
    const store = new MemoryTokenStore();
    const order: number[] = [];
    const first = await store.lock(account);
    const waiting = [1, 2, 3].map((n) =>
      store.lock(account).then(async (lock) => {
        order.push(n);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await lock.release();
      }),
    );
    // Another account's lock is independent.
    await (await store.lock('other@example.test', { timeout: 50 })).release();
    await first.release();
    await first.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('fails with OAUTH_LOCK_TIMEOUT after the timeout and OAUTH_ABORTED on abort, and later waiters still get the lock', async () => {
    const store = new MemoryTokenStore();
    const held = await store.lock(account);
    const timedOut = await rejection(store.lock(account, { timeout: 30 }));
    expect(timedOut.code).toBe(OAUTH_LOCK_TIMEOUT);
    expect(timedOut.transient).toBe(true);
    const controller = new AbortController();
    const aborted = store.lock(account, { signal: controller.signal });
    const patient = store.lock(account, { timeout: 1000 });
    controller.abort();
    expect((await rejection(aborted)).code).toBe(OAUTH_ABORTED);
    await held.release();
    await (await patient).release();
  });

  it('waits for the holder with a timeout of Infinity instead of timing out at once', async () => {
    const store = new MemoryTokenStore();
    const held = await store.lock(account);
    const waiting = store.lock(account, { timeout: Number.POSITIVE_INFINITY });
    const outcome = Promise.race([
      waiting.then(() => 'granted'),
      new Promise((resolve) => setTimeout(resolve, 100, 'still waiting')),
    ]);
    expect(await outcome).toBe('still waiting');
    await held.release();
    await (await waiting).release();
  });

  it('rejects malformed records with a TypeError', async () => {
    const store = new MemoryTokenStore();
    await expect(store.set({ account: '' })).rejects.toThrow(TypeError);
    await expect(store.set({ account, tokens: {} as TokenSet })).rejects.toThrow(TypeError);
  });
});
