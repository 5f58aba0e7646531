import { AuthorizerError, type TokenSet } from '@oauth-authorizer/core';
import { expect } from 'vitest';

let serial = 0;

/** A token set with unique token strings, valid for `lifetimeSeconds` from now. */
export function tokenSet(overrides: Partial<TokenSet> = {}, lifetimeSeconds = 3600): TokenSet {
  serial += 1;
  const now = Date.now();
  return {
    accessToken: `access-${serial}-${Math.random().toString(36).slice(2)}`,
    tokenType: 'Bearer',
    expiresAt: now + lifetimeSeconds * 1000,
    refreshToken: `refresh-${serial}-${Math.random().toString(36).slice(2)}`,
    scope: 'openid offline_access mail',
    obtainedAt: now,
    extra: {},
    ...overrides,
  };
}

/** What `promise` rejected with, asserted to be an {@link AuthorizerError} (a resolved promise fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<AuthorizerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AuthorizerError);
  return error as AuthorizerError;
}
