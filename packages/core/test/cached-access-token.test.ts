import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, readCachedAccessToken } from '@oauth-authorizer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-cached-token-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readCachedAccessToken()', () => {
  it('reads back a valid token that core’s file store wrote, and only while it is valid for long enough', async () => {
    const store = new FileTokenStore({ directory });
    const now = Date.now();
    await store.set({
      account: 'Me@Example.com',
      tokens: {
        accessToken: 'at-1',
        tokenType: 'Bearer',
        expiresAt: now + 3_600_000,
        obtainedAt: now,
        extra: {},
      },
      settings: { version: 1 },
    });
    expect(readCachedAccessToken(directory, 'Me@Example.com', 60, now)).toBe('at-1');
    expect(readCachedAccessToken(directory, 'me@example.com', 60, now)).toBeUndefined();
    // The margin is min(minValidity, lifetime / 2), as in core's token manager.
    expect(readCachedAccessToken(directory, 'Me@Example.com', 60, now + 3_540_000 - 1)).toBe('at-1');
    expect(readCachedAccessToken(directory, 'Me@Example.com', 60, now + 3_540_000)).toBeUndefined();
    expect(readCachedAccessToken(directory, 'Me@Example.com', 7200, now + 1_799_999)).toBe('at-1');
    expect(readCachedAccessToken(directory, 'Me@Example.com', 7200, now + 1_800_000)).toBeUndefined();
  });

  it('leaves a marked, token-less, foreign or broken file to the token manager', async () => {
    const store = new FileTokenStore({ directory });
    const now = Date.now();
    const tokens = {
      accessToken: 'at-2',
      tokenType: 'Bearer',
      expiresAt: now + 3_600_000,
      obtainedAt: now,
      extra: {},
    };
    await store.set({
      account: 'marked',
      tokens,
      authorizationRequired: { since: now, reason: 'invalid_grant' },
    });
    expect(readCachedAccessToken(directory, 'marked', 60, now)).toBeUndefined();
    await store.set({ account: 'empty' });
    expect(readCachedAccessToken(directory, 'empty', 60, now)).toBeUndefined();
    await store.set({ account: 'forever', tokens: { ...tokens, expiresAt: undefined as never } });
    expect(readCachedAccessToken(directory, 'forever', 60, now)).toBe('at-2');
    await writeFile(join(directory, 'broken.json'), '{"version":1,"account":"broken","tokens":');
    expect(readCachedAccessToken(directory, 'broken', 60, now)).toBeUndefined();
    await writeFile(
      join(directory, 'copied.json'),
      JSON.stringify({ version: 1, account: 'other', tokens: { access_token: 'x' } }),
    );
    expect(readCachedAccessToken(directory, 'copied', 60, now)).toBeUndefined();
    expect(readCachedAccessToken(directory, 'missing', 60, now)).toBeUndefined();
  });
});
