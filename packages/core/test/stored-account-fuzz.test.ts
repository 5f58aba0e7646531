import { AuthorizerError, OAUTH_STORE_CORRUPT, type StoredAccount } from '@oauth-authorizer/core';
import {
  checkStoredAccount,
  parseStoredJSON,
  storedAccountFromJSON,
  storedAccountToJSON,
} from '@oauth-authorizer/core/store-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The stored-account parser reads files people edit by hand and values other programs wrote.
// Whatever it is given, it returns a record that the stores accept back, or throws a typed error
// naming the field; it never throws anything else and never quotes a token.

const account = 'me@example.test';
const RUNS = 1000;

function corrupt(problem: string): AuthorizerError {
  return new AuthorizerError(OAUTH_STORE_CORRUPT, `the record of "${account}" is corrupt: ${problem}`);
}

/** Token-like strings, collected per run so that the messages can be searched for them. */
const secret = fc.stringMatching(/^[A-Za-z0-9._~+/-]{12,40}$/).map((value) => `tok_${value}`);

const isoDate = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Mostly the right type, sometimes anything at all, sometimes a secret in the wrong place. */
function field<T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: right },
    { weight: 1, arbitrary: fc.anything() },
    { weight: 1, arbitrary: secret },
  );
}

const tokens = fc.record(
  {
    access_token: field(fc.oneof(secret, fc.constant(''))),
    token_type: field(fc.constantFrom('Bearer', 'bearer', 'DPoP')),
    expires_at: field(isoDate),
    refresh_token: field(secret),
    refresh_token_expires_at: field(isoDate),
    refresh_token_obtained_at: field(isoDate),
    scope: field(fc.constantFrom('openid', 'openid offline_access mail')),
    id_token: field(secret),
    obtained_at: field(isoDate),
    extra: field(fc.dictionary(fc.string(), fc.jsonValue())),
  },
  { requiredKeys: ['access_token', 'token_type'] },
);

const storedJSON = fc.record(
  {
    version: field(fc.constant(1)),
    account: field(fc.constantFrom(account, 'other@example.test')),
    tokens: field(tokens),
    authorization_required: field(fc.record({ since: field(isoDate), reason: field(fc.string()) })),
    last_refresh_error: field(
      fc.record({
        at: field(isoDate),
        code: field(fc.constant('OAUTH_TIMEOUT')),
        message: field(fc.string()),
      }),
    ),
    settings: field(fc.dictionary(fc.string(), fc.jsonValue())),
  },
  { requiredKeys: ['version', 'account'] },
);

/** Every string in `value` that a generator made as a secret. */
function secretsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && value.startsWith('tok_')) found.push(value);
  else if (typeof value === 'object' && value !== null)
    for (const inner of Object.values(value)) secretsIn(inner, found);
  return found;
}

/** Parses `json`; a result must be a record the stores accept back, an error typed and secret-free. */
function checkOutcome(parse: () => StoredAccount, secrets: string[]): void {
  let record: StoredAccount;
  try {
    record = parse();
  } catch (error) {
    if (!(error instanceof AuthorizerError || error instanceof TypeError)) throw error;
    const text = `${error.message} ${(error as AuthorizerError).hint ?? ''}`;
    for (const value of secrets) expect(text).not.toContain(value);
    return;
  }
  expect(record.account).toBe(account);
  checkStoredAccount(record); // what a store reads, it can write back
  expect(storedAccountFromJSON(storedAccountToJSON(record), account, corrupt)).toEqual(record);
}

describe('the stored-account parser (property-based)', () => {
  it(`returns a writable record or a typed error without secrets, for ${RUNS} generated records`, () => {
    fc.assert(
      fc.property(storedJSON, (json) => {
        checkOutcome(() => storedAccountFromJSON(json, account, corrupt), secretsIn(json));
      }),
      { numRuns: RUNS },
    );
  });

  it(`does the same for ${RUNS} arbitrary values`, () => {
    fc.assert(
      fc.property(fc.anything(), (json) => {
        checkOutcome(() => storedAccountFromJSON(json, account, corrupt), []);
      }),
      { numRuns: RUNS },
    );
  });

  it(`does the same for ${RUNS} texts, whole or cut anywhere`, () => {
    const text = fc.oneof(
      fc.string(),
      fc
        .tuple(storedJSON, fc.nat())
        .map(([json, cut]) => JSON.stringify(json).slice(0, cut % (JSON.stringify(json).length + 1))),
    );
    fc.assert(
      fc.property(text, (value) => {
        checkOutcome(
          () => storedAccountFromJSON(parseStoredJSON(value, corrupt), account, corrupt),
          value.match(/tok_[A-Za-z0-9._~+/-]{12,40}/g) ?? [],
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('names the field in its message', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tokens: 'tok_abcdefghijklmnop' }, '"tokens" must be an object, got a string'],
      [{ tokens: { access_token: '', token_type: 'Bearer' } }, '"tokens.access_token" must not be empty'],
      [{ tokens: { access_token: 'a', token_type: 'Bearer', expires_at: 5 } }, '"expires_at"'],
      [{ authorization_required: { since: 'soon', reason: 'x' } }, '"authorization_required"'],
      [{ settings: [] }, '"settings" must be an object, got an array'],
      [{ version: 'tok_abcdefghijklmnop' }, '"version" must be 1, got a string'],
    ];
    for (const [fields, problem] of cases) {
      const json = { version: 1, account, ...fields };
      expect(() => storedAccountFromJSON(json, account, corrupt)).toThrow(problem);
    }
  });
});
