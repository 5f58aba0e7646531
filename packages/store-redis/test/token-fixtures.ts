import type { StoredAccount, TokenSet } from '@oauth-authorizer/core';
import { expect } from 'vitest';

let counter = 0;

/** A token set with recognisable, unique token strings (to search for in raw Redis values). */
export function fakeTokens(overrides: Partial<TokenSet> = {}): TokenSet {
  counter += 1;
  const now = Date.now();
  return {
    accessToken: `access-token-${counter}-${Math.random().toString(36).slice(2)}`,
    tokenType: 'Bearer',
    expiresAt: now + 3_600_000,
    refreshToken: `refresh-token-${counter}-${Math.random().toString(36).slice(2)}`,
    scope: 'openid offline_access mail',
    obtainedAt: now,
    extra: { ext_expires_in: 3600 },
    ...overrides,
  };
}

/** A record for `account` with fresh fake tokens and some settings. */
export function fakeRecord(account: string, overrides: Partial<StoredAccount> = {}): StoredAccount {
  return {
    account,
    tokens: fakeTokens(),
    settings: { preset: 'custom', clientId: 'native-app', scopes: ['openid', 'mail'] },
    ...overrides,
  };
}

/** Asserts that `promise` rejects with an AuthorizerError of `code`, and returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string; transient: boolean; hint?: string; cause?: unknown }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(Error);
  expect((error as { code?: unknown }).code).toBe(code);
  return error as Error & { code: string; transient: boolean };
}

/** Asserts that no token string of `record` appears in `text` (messages, raw values, causes). */
export function expectNoTokenText(text: string, record: StoredAccount): void {
  for (const secret of [record.tokens?.accessToken, record.tokens?.refreshToken, record.tokens?.idToken]) {
    if (secret) expect(text).not.toContain(secret);
  }
}

/** Everything an error carries as text: message, hint, stack, and its cause chain's messages. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.message, current.stack ?? '', String((current as { hint?: unknown }).hint ?? ''));
    parts.push(JSON.stringify(current, Object.getOwnPropertyNames(current)));
    current = current.cause;
  }
  return parts.join('\n');
}
