import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as core from '@oauth-authorizer/core';
import * as storeKit from '@oauth-authorizer/core/store-kit';
import { requireBuilt } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';

const STORE_KIT = [
  'checkAccountName',
  'checkStoredAccount',
  'parseStoredJSON',
  'STORED_ACCOUNT_FORMAT_VERSION',
  'storedAccountFromJSON',
  'storedAccountToJSON',
];

describe('@oauth-authorizer/core/store-kit', () => {
  it('holds the names for implementing a store, which the main entry point no longer has', () => {
    expect(Object.keys(storeKit).sort()).toEqual([...STORE_KIT].sort());
    for (const name of STORE_KIT) expect(core).not.toHaveProperty(name);
    // The lock queue's errors are AuthorizerErrors: it stays beside the one AuthorizerError class.
    expect(core).toHaveProperty('AccountLockQueue');
  });

  it('is an entry point of the built package, ESM and CommonJS, without a copy of AuthorizerError', async () => {
    const cjs = new URL('../dist/store-kit.cjs', import.meta.url);
    requireBuilt(cjs);
    const required = createRequire(import.meta.url)(cjs.pathname) as Record<string, unknown>;
    const imported = (await import(new URL('../dist/store-kit.js', import.meta.url).href)) as Record<
      string,
      unknown
    >;
    expect(Object.keys(required).sort()).toEqual([...STORE_KIT].sort());
    expect(Object.keys(imported).sort()).toEqual([...STORE_KIT].sort());
    // CommonJS entry points each bundle what they use: a second AuthorizerError would fail instanceof.
    expect(await readFile(cjs, 'utf8')).not.toContain('AuthorizerError');
  });
});
