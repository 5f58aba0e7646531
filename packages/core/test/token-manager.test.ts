import {
  AuthorizerError,
  MemoryTokenStore,
  OAUTH_ABORTED,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_ERROR_RESPONSE,
  OAUTH_HTTP_ERROR,
  OAUTH_NETWORK_ERROR,
  OAUTH_STORE_UNAVAILABLE,
  OAUTH_TIMEOUT,
  OAuthResponseError,
  type ProviderConfig,
  type StoredAccount,
  TokenManager,
  type TokenManagerOptions,
  type TokenSet,
} from '@oauth-authorizer/core';
import { describe, expect, it, vi } from 'vitest';
import { rejection, tokenSet } from './token-fixtures.js';

// Unit tests: the refresh call is injected, the store is in memory. The same behaviour against a
// real oidc-provider is in token-manager-*.test.ts next to this file.

const provider: ProviderConfig = { tokenUrl: 'https://id.example.test/token', clientId: 'unit-client' };
const account = 'me@example.test';

/** A token set that expired a minute ago. */
function expiredTokenSet(): TokenSet {
  const now = Date.now();
  return tokenSet({ obtainedAt: now - 3_660_000, expiresAt: now - 60_000 });
}

type Refresh = NonNullable<TokenManagerOptions['refresh']>;

/** A refresh function that rotates the refresh token, counts its calls and records what it got. */
function rotatingRefresh(options: { delayMs?: number; lifetimeSeconds?: number } = {}) {
  const calls: string[] = [];
  const refresh: Refresh = async (_provider, refreshToken) => {
    calls.push(refreshToken);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return tokenSet({}, options.lifetimeSeconds ?? 3600);
  };
  return { refresh, calls };
}

function transient(code: string, retryAfter?: number): AuthorizerError {
  return new AuthorizerError(code, `the token endpoint failed (${code})`, {
    transient: true,
    ...(retryAfter !== undefined && { retryAfter }),
  });
}

async function setup(tokens: TokenSet | undefined, options: Partial<TokenManagerOptions> = {}) {
  const store = new MemoryTokenStore();
  if (tokens) await store.set({ account, tokens });
  const manager = new TokenManager({
    account,
    store,
    provider,
    retry: { baseDelay: 5, maxDelay: 20 },
    ...options,
  });
  return { store, manager };
}

describe('TokenManager.getAccessToken()', () => {
  it('returns a valid stored token without refreshing, and later calls do not read the store', async () => {
    const stored = tokenSet();
    const { refresh, calls } = rotatingRefresh();
    const { store, manager } = await setup(stored, { refresh });
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (...args) => {
      reads += 1;
      return get(...args);
    };
    expect(await manager.getAccessToken()).toBe(stored.accessToken);
    for (let i = 0; i < 1000; i++) await manager.getAccessToken();
    expect(await manager.getAccessToken({ signal: new AbortController().signal })).toBe(stored.accessToken);
    expect(reads).toBe(1);
    expect(calls).toEqual([]);
  });

  it('shares one refresh among 1,000 concurrent callers with an expired token', async () => {
    const expired = expiredTokenSet();
    const { refresh, calls } = rotatingRefresh({ delayMs: 20 });
    const { store, manager } = await setup(expired, { refresh });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(calls).toEqual([expired.refreshToken]);
    const stored = await store.get(account);
    expect(new Set(tokens)).toEqual(new Set([stored?.tokens?.accessToken]));
    expect(stored?.tokens?.refreshToken).not.toBe(expired.refreshToken);
  });

  it('refreshes a token that has less than minValidity seconds left', async () => {
    const now = Date.now();
    const almostExpired = tokenSet({ obtainedAt: now - 3_550_000, expiresAt: now + 50_000 });
    const { refresh, calls } = rotatingRefresh();
    const { manager } = await setup(almostExpired, { refresh });
    expect(await manager.getAccessToken()).not.toBe(almostExpired.accessToken);
    expect(calls).toHaveLength(1);
  });

  it('honours a per-call minValidity larger than the default', async () => {
    const now = Date.now();
    const stored = tokenSet({ obtainedAt: now - 3_000_000, expiresAt: now + 600_000 });
    const { refresh, calls } = rotatingRefresh();
    const { manager } = await setup(stored, { refresh });
    expect(await manager.getAccessToken()).toBe(stored.accessToken);
    expect(await manager.getAccessToken({ minValidity: 900 })).not.toBe(stored.accessToken);
    expect(calls).toHaveLength(1);
  });

  it('caps the freshness margin at half the lifetime, so short-lived tokens are not refreshed on every call', async () => {
    // A token that lives 2 s is fresh while more than 1 s is left, whatever minValidity says.
    // The clock is the test's (timers stay real), so a slow machine cannot age the token by itself.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      const { refresh, calls } = rotatingRefresh({ lifetimeSeconds: 2 });
      const { manager } = await setup(tokenSet({}, 2), { refresh, minValidity: 60 });
      const first = await manager.getAccessToken();
      vi.setSystemTime(start + 900);
      expect(await manager.getAccessToken()).toBe(first);
      expect(calls).toHaveLength(0);
      vi.setSystemTime(start + 1050);
      const second = await manager.getAccessToken();
      expect(second).not.toBe(first);
      expect(calls).toHaveLength(1);
      expect(await manager.getAccessToken()).toBe(second);
      expect(calls).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats a token without expiry as fresh until a refresh is forced', async () => {
    const { expiresAt: _none, ...forever } = tokenSet();
    const { refresh, calls } = rotatingRefresh();
    const { manager } = await setup(forever, { refresh });
    expect(await manager.getAccessToken({ minValidity: 1e9 })).toBe(forever.accessToken);
    expect(calls).toHaveLength(0);
    expect(await manager.getAccessToken({ forceRefresh: true })).not.toBe(forever.accessToken);
    expect(calls).toHaveLength(1);
  });

  it('forceRefresh replaces a valid token, and concurrent forced callers share one refresh', async () => {
    const stored = tokenSet();
    const { refresh, calls } = rotatingRefresh({ delayMs: 10 });
    const { manager } = await setup(stored, { refresh });
    expect(await manager.getAccessToken()).toBe(stored.accessToken);
    const forced = await Promise.all(
      Array.from({ length: 20 }, () => manager.getAccessToken({ forceRefresh: true })),
    );
    expect(calls).toEqual([stored.refreshToken]);
    expect(new Set(forced).size).toBe(1);
    expect(forced[0]).not.toBe(stored.accessToken);
  });

  it('forceRefresh takes the token another process stored meanwhile instead of refreshing again', async () => {
    const stored = tokenSet();
    const { refresh, calls } = rotatingRefresh();
    const { store, manager } = await setup(stored, { refresh });
    expect(await manager.getAccessToken()).toBe(stored.accessToken);
    const refreshedElsewhere = tokenSet();
    await store.set({ account, tokens: refreshedElsewhere });
    expect(await manager.getAccessToken({ forceRefresh: true })).toBe(refreshedElsewhere.accessToken);
    expect(calls).toEqual([]);
  });

  it('picks up tokens another process refreshed instead of refreshing its own stale copy', async () => {
    const { refresh, calls } = rotatingRefresh();
    // Lives 1 s, so it is fresh for 0.5 s (half its lifetime).
    const { store, manager } = await setup(tokenSet({}, 1), { refresh });
    await manager.getAccessToken();
    const elsewhere = tokenSet();
    await store.set({ account, tokens: elsewhere });
    await new Promise((resolve) => setTimeout(resolve, 550));
    expect(await manager.getAccessToken()).toBe(elsewhere.accessToken);
    expect(calls).toEqual([]);
  });

  it('stores the rotated refresh token before it hands out the new access token', async () => {
    const expired = expiredTokenSet();
    const { refresh } = rotatingRefresh();
    const { store, manager } = await setup(expired, { refresh });
    const set = store.set.bind(store);
    let stored: StoredAccount | undefined;
    store.set = async (record, options) => {
      // A slow disk: the caller must still not get the token before this completes.
      await new Promise((resolve) => setTimeout(resolve, 30));
      await set(record, options);
      stored = structuredClone(record);
    };
    const token = await manager.getAccessToken();
    expect(stored?.tokens?.accessToken).toBe(token);
    expect(stored?.tokens?.refreshToken).not.toBe(expired.refreshToken);
  });

  it('keeps the old refresh token, scope and ID token when the refresh response has none', async () => {
    const expired = { ...expiredTokenSet(), idToken: 'id-token-1' };
    const refresh: Refresh = async () => {
      const { refreshToken: _r, scope: _s, ...rest } = tokenSet();
      return rest;
    };
    const { store, manager } = await setup(expired, { refresh });
    const token = await manager.getAccessToken();
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).toBe(expired.refreshToken);
    expect(stored?.scope).toBe(expired.scope);
    expect(stored?.idToken).toBe('id-token-1');
  });

  it('emits "refresh" for the attempt and "tokens" after the new tokens are stored', async () => {
    const expired = expiredTokenSet();
    const { refresh } = rotatingRefresh();
    const { store, manager } = await setup(expired, { refresh });
    const events: string[] = [];
    manager.on('refresh', (attempt) => {
      expect(attempt).toMatchObject({ account, attempt: 1, ok: true });
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      events.push('refresh');
    });
    const storedWhenEmitted: Array<Promise<StoredAccount | undefined>> = [];
    manager.on('tokens', (tokens) => {
      events.push(`tokens:${tokens.accessToken}`);
      storedWhenEmitted.push(store.get(account));
    });
    const token = await manager.getAccessToken();
    expect(events).toEqual(['refresh', `tokens:${token}`]);
    expect((await storedWhenEmitted[0])?.tokens?.accessToken).toBe(token);
  });

  it('retries transient failures (503, 503, then 200) and succeeds without touching the stored tokens meanwhile', async () => {
    const expired = expiredTokenSet();
    const store = new MemoryTokenStore([{ account, tokens: expired }]);
    let call = 0;
    const refresh: Refresh = async () => {
      call += 1;
      expect((await store.get(account))?.tokens).toEqual(expired);
      if (call <= 2) throw transient(OAUTH_HTTP_ERROR);
      return tokenSet();
    };
    const manager = new TokenManager({ account, store, provider, refresh, retry: { baseDelay: 5 } });
    const attempts: Array<[number, boolean, string | undefined]> = [];
    manager.on('refresh', ({ attempt, ok, error }) =>
      attempts.push([attempt, ok, (error as AuthorizerError | undefined)?.code]),
    );
    const token = await manager.getAccessToken();
    expect(attempts).toEqual([
      [1, false, OAUTH_HTTP_ERROR],
      [2, false, OAUTH_HTTP_ERROR],
      [3, true, undefined],
    ]);
    expect((await store.get(account))?.tokens?.accessToken).toBe(token);
  });

  it('waits as long as Retry-After says before retrying', async () => {
    let call = 0;
    const times: number[] = [];
    const refresh: Refresh = async () => {
      times.push(Date.now());
      call += 1;
      if (call === 1) throw transient(OAUTH_HTTP_ERROR, 1);
      return tokenSet();
    };
    const { manager } = await setup(expiredTokenSet(), { refresh, retry: { baseDelay: 1 } });
    await manager.getAccessToken();
    expect(times).toHaveLength(2);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(990);
  });

  it('gives up at once when Retry-After asks for longer than maxRetryAfter', async () => {
    let calls = 0;
    const refresh: Refresh = async () => {
      calls += 1;
      throw transient(OAUTH_HTTP_ERROR, 3600);
    };
    const { manager } = await setup(expiredTokenSet(), { refresh });
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_HTTP_ERROR);
    expect(error.retryAfter).toBe(3600);
    expect(calls).toBe(1);
  });

  it('rethrows the last transient error with its code after the retries, keeping the stored tokens', async () => {
    const expired = expiredTokenSet();
    let calls = 0;
    const refresh: Refresh = async () => {
      calls += 1;
      throw transient(calls % 2 ? OAUTH_NETWORK_ERROR : OAUTH_TIMEOUT);
    };
    const { store, manager } = await setup(expired, { refresh, retry: { retries: 3, baseDelay: 2 } });
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_TIMEOUT);
    expect(error.transient).toBe(true);
    expect(calls).toBe(4);
    // The tokens are kept; the failure is noted beside them for a status view.
    expect(await store.get(account)).toEqual({
      account,
      tokens: expired,
      lastRefreshError: { at: expect.any(Number), code: OAUTH_TIMEOUT, message: error.message },
    });
  });

  it('marks the account on invalid_grant, keeps its tokens, emits "authorization-required" and throws OAUTH_AUTHORIZATION_REQUIRED', async () => {
    const expired = expiredTokenSet();
    let calls = 0;
    const refresh: Refresh = async () => {
      calls += 1;
      throw new OAuthResponseError(
        { error: 'invalid_grant', error_description: 'grant request is invalid' },
        400,
      );
    };
    const { store, manager } = await setup(expired, { refresh });
    const emitted: AuthorizerError[] = [];
    manager.on('authorization-required', (error) => emitted.push(error));
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(error.message).toContain(account);
    expect(error.message).toContain('invalid_grant');
    expect(error.hint).toBe('authorize the account again');
    expect(error.hint).not.toContain('oauth-authorizer');
    expect(error.cause).toBeInstanceOf(OAuthResponseError);
    for (const secret of [expired.accessToken, expired.refreshToken as string]) {
      expect(error.message).not.toContain(secret);
      expect(error.hint).not.toContain(secret);
    }
    expect(emitted).toEqual([error]);
    const record = await store.get(account);
    expect(record?.tokens).toEqual(expired);
    expect(record?.authorizationRequired?.reason).toContain('invalid_grant');
    expect(record?.authorizationRequired?.since).toBeGreaterThan(Date.now() - 10_000);

    // Marked: later calls fail the same way without asking the server again.
    const again = await rejection(manager.getAccessToken({ forceRefresh: true }));
    expect(again.code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(calls).toBe(1);
  });

  it('does not mark the account for invalid_client: the client configuration is wrong, not the grant', async () => {
    const expired = expiredTokenSet();
    const refresh: Refresh = async () => {
      throw new OAuthResponseError({ error: 'invalid_client' }, 401);
    };
    const { store, manager } = await setup(expired, { refresh });
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_ERROR_RESPONSE);
    expect((error as OAuthResponseError).error).toBe('invalid_client');
    expect(await store.get(account)).toEqual({
      account,
      tokens: expired,
      lastRefreshError: { at: expect.any(Number), code: OAUTH_ERROR_RESPONSE, message: error.message },
    });
  });

  it('throws OAUTH_AUTHORIZATION_REQUIRED for an unknown account and for an expired token without refresh token', async () => {
    const { refresh, calls } = rotatingRefresh();
    const { manager } = await setup(undefined, { refresh });
    expect((await rejection(manager.getAccessToken())).code).toBe(OAUTH_AUTHORIZATION_REQUIRED);

    const { refreshToken: _none, ...noRefresh } = expiredTokenSet();
    const { manager: second } = await setup(noRefresh, { refresh });
    const error = await rejection(second.getAccessToken());
    expect(error.code).toBe(OAUTH_AUTHORIZATION_REQUIRED);
    expect(error.message).toContain('no refresh token');
    expect(calls).toEqual([]);
  });

  it('stops waiting when the signal aborts during a back-off, and the next call starts afresh', async () => {
    let calls = 0;
    const refresh: Refresh = async () => {
      calls += 1;
      if (calls === 1) throw transient(OAUTH_HTTP_ERROR);
      return tokenSet();
    };
    const { manager } = await setup(expiredTokenSet(), {
      refresh,
      retry: { baseDelay: 5000, maxDelay: 5000 },
    });
    const controller = new AbortController();
    const pending = manager.getAccessToken({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    controller.abort();
    const error = await rejection(pending);
    expect(error.code).toBe(OAUTH_ABORTED);
    // Well before the 5 s back-off would have ended.
    expect(Date.now() - started).toBeLessThan(1000);
    // The abandoned flight stopped at its back-off: no retry happened behind our back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
    expect(await manager.getAccessToken()).toMatch(/^access-/);
    expect(calls).toBe(2);
  });

  it('lets an aborted caller go while the refresh it started completes and is stored for the others', async () => {
    const expired = expiredTokenSet();
    const { refresh, calls } = rotatingRefresh({ delayMs: 50 });
    const { store, manager } = await setup(expired, { refresh });
    const controller = new AbortController();
    const aborted = manager.getAccessToken({ signal: controller.signal });
    const patient = manager.getAccessToken();
    setTimeout(() => controller.abort(), 10);
    expect((await rejection(aborted)).code).toBe(OAUTH_ABORTED);
    const token = await patient;
    expect((await store.get(account))?.tokens?.accessToken).toBe(token);
    expect(calls).toHaveLength(1);
  });

  it('throws OAUTH_ABORTED at once for an already aborted signal', async () => {
    const { manager } = await setup(expiredTokenSet(), { refresh: rotatingRefresh().refresh });
    const error = await rejection(manager.getAccessToken({ signal: AbortSignal.abort() }));
    expect(error.code).toBe(OAUTH_ABORTED);
  });

  it('keeps refreshed tokens it could not store, hands out nothing unstored, and stores them on the next call', async () => {
    const expired = expiredTokenSet();
    const { refresh, calls } = rotatingRefresh();
    const { store, manager } = await setup(expired, { refresh });
    const set = store.set.bind(store);
    let failures = 1;
    store.set = async (record, options) => {
      if (failures-- > 0) throw new AuthorizerError(OAUTH_STORE_UNAVAILABLE, 'disk full (ENOSPC)');
      await set(record, options);
    };
    const error = await rejection(manager.getAccessToken());
    expect(error.code).toBe(OAUTH_STORE_UNAVAILABLE);
    expect((await store.get(account))?.tokens).toEqual(expired);
    const token = await manager.getAccessToken();
    expect(calls).toHaveLength(1);
    const stored = (await store.get(account))?.tokens;
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).not.toBe(expired.refreshToken);
  });

  it('retries a transient store failure after a refresh while it holds the lock, so the rotated token is not left unstored', async () => {
    const expired = expiredTokenSet();
    const { refresh, calls } = rotatingRefresh();
    const { store, manager } = await setup(expired, { refresh });
    const set = store.set.bind(store);
    let failures = 2;
    store.set = async (record, options) => {
      if (failures-- > 0)
        throw new AuthorizerError(OAUTH_STORE_UNAVAILABLE, 'store restarting', { transient: true });
      await set(record, options);
    };
    const token = await manager.getAccessToken();
    expect(calls).toHaveLength(1);
    expect(failures).toBe(-1);
    expect((await store.get(account))?.tokens?.accessToken).toBe(token);
  });

  it('notes a failed refresh as lastRefreshError and clears it with the next successful refresh', async () => {
    const expired = expiredTokenSet();
    let fail = true;
    const refresh: Refresh = async () => {
      if (fail) throw transient(OAUTH_NETWORK_ERROR);
      return tokenSet();
    };
    const { store, manager } = await setup(expired, { refresh, retry: { retries: 0 } });
    const before = Date.now();
    const error = await rejection(manager.getAccessToken());
    const noted = (await store.get(account))?.lastRefreshError;
    expect(noted).toEqual({ at: expect.any(Number), code: OAUTH_NETWORK_ERROR, message: error.message });
    expect(noted?.at).toBeGreaterThanOrEqual(before);
    fail = false;
    await manager.getAccessToken();
    const record = await store.get(account);
    expect(record?.lastRefreshError).toBeUndefined();
    expect(record?.tokens?.refreshToken).not.toBe(expired.refreshToken);
  });

  it('notes the rejection as lastRefreshError when invalid_grant marks the account', async () => {
    const refresh: Refresh = async () => {
      throw new OAuthResponseError({ error: 'invalid_grant' }, 400);
    };
    const { store, manager } = await setup(expiredTokenSet(), { refresh });
    await rejection(manager.getAccessToken());
    const record = await store.get(account);
    expect(record?.authorizationRequired).toBeDefined();
    expect(record?.lastRefreshError).toMatchObject({
      code: OAUTH_ERROR_RESPONSE,
      at: record?.authorizationRequired?.since,
    });
  });

  it('sets refreshTokenObtainedAt on a rotation and keeps the old one when the refresh sends no refresh token', async () => {
    const expired = { ...expiredTokenSet(), refreshTokenObtainedAt: 1_700_000_000_000 };
    let rotate = false;
    const refresh: Refresh = async () => {
      const { refreshToken, refreshTokenObtainedAt: _o, ...rest } = tokenSet({ obtainedAt: Date.now() }, 1);
      return rotate && refreshToken !== undefined ? { ...rest, refreshToken } : rest;
    };
    const { store, manager } = await setup(expired, { refresh, minValidity: 60 });
    await manager.getAccessToken();
    expect((await store.get(account))?.tokens?.refreshTokenObtainedAt).toBe(1_700_000_000_000);
    rotate = true;
    const before = Date.now();
    await manager.getAccessToken({ forceRefresh: true });
    const tokens = (await store.get(account))?.tokens;
    expect(tokens?.refreshToken).not.toBe(expired.refreshToken);
    expect(tokens?.refreshTokenObtainedAt).toBeGreaterThanOrEqual(before);
  });

  it('rejects invalid options with a TypeError at once', () => {
    const store = new MemoryTokenStore();
    expect(() => new TokenManager({ account: '', store, provider })).toThrow(TypeError);
    expect(() => new TokenManager({ account, store: {} as never, provider })).toThrow(TypeError);
    expect(() => new TokenManager({ account, store, provider, minValidity: -1 })).toThrow(TypeError);
    expect(() => new TokenManager({ account, store, provider, retry: { retries: 1.5 } })).toThrow(TypeError);
  });
});
