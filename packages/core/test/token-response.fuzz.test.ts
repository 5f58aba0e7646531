import {
  MAX_LIFETIME_SECONDS,
  OAUTH_INVALID_RESPONSE,
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  tokenSetFromJSON,
  tokenSetFromResponse,
  tokenSetToJSON,
} from '@oauth-authorizer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOrTypedError } from './fuzz-outcome.js';

// Property: whatever a token endpoint sends, tokenSetFromResponse() returns a token set that can be
// used and stored, or throws a typed error; the tokens it was sent never appear in that error.

const NUM_RUNS = 1500;
const NOW = 1_700_000_000_000;

/** A token: a b64token most of the time, anything else sometimes; long enough to be recognisable. */
const token = (label: string) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(`${label}-valid-token-0123456789`) },
    fc.stringMatching(/^[A-Za-z0-9\-._~+/]{12,60}=*$/).map((value) => `${label}${value}`),
    fc.string({ minLength: 1, maxLength: 40 }).map((value) => `${label}-${value}-secret`),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((value) => `${label}\r\n${value}`),
  );

const anyJson = fc.jsonValue({ maxDepth: 2 });

/** A lifetime as a server might send it: sane, absurd, or not a number at all. */
const lifetime = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  fc.double(),
  fc.constantFrom(0, -1, 1e20, 1e308, 3600.5, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: -10, max: 1e9 }).map(String),
  fc.constantFrom('3600', '3600.5', ' 60 ', '1e3', 'soon', '', '0x10'),
  anyJson,
);

const tokenType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'MAC', 'DPoP', 'N_A', '') },
  fc.string({ maxLength: 12 }),
  anyJson,
);

/** A field that is absent, the expected thing, or any JSON value. */
const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 12, arbitrary }, { weight: 1, arbitrary: anyJson }), {
    nil: undefined,
    freq: 2,
  });

const tokenResponse = fc.record(
  {
    access_token: fc.oneof({ weight: 6, arbitrary: token('at') }, { weight: 1, arbitrary: anyJson }),
    token_type: maybe(tokenType),
    expires_in: maybe(lifetime),
    refresh_token: maybe(token('rt')),
    refresh_token_expires_in: maybe(lifetime),
    scope: maybe(fc.string({ maxLength: 30 })),
    id_token: maybe(token('id')),
    ext_expires_in: maybe(anyJson),
  },
  { requiredKeys: [] },
);

function secretsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  return [record.access_token, record.refresh_token, record.id_token].filter(
    (value): value is string => typeof value === 'string',
  );
}

describe('tokenSetFromResponse() fuzzed', () => {
  it(`returns a usable, storable token set or a typed error, never a token in it (${NUM_RUNS} runs)`, () => {
    const outcomes = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.oneof({ weight: 9, arbitrary: tokenResponse }, { weight: 1, arbitrary: anyJson }),
        fc.option(fc.array(fc.constantFrom('DPoP', 'MAC', 'pop')), { nil: undefined }),
        (body, tokenTypes) => {
          let thrown: unknown;
          const tokens = parseOrTypedError(() => {
            try {
              return tokenSetFromResponse(body, NOW, { tokenTypes });
            } catch (error) {
              thrown = error;
              throw error;
            }
          }, secretsOf(body));
          outcomes[tokens === undefined ? 'refused' : 'parsed'] += 1;
          if (tokens === undefined) {
            expect([OAUTH_INVALID_RESPONSE, OAUTH_UNSUPPORTED_TOKEN_TYPE]).toContain(
              (thrown as { code?: string }).code,
            );
            return;
          }
          expect(tokens.accessToken).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
          const accepted = ['bearer', ...(tokenTypes ?? []).map((type) => type.toLowerCase())];
          expect(accepted).toContain(tokens.tokenType.toLowerCase());
          for (const instant of [tokens.expiresAt, tokens.refreshTokenExpiresAt]) {
            if (instant === undefined) continue;
            expect(Number.isInteger(instant)).toBe(true);
            expect(instant).toBeGreaterThan(NOW);
            expect(instant).toBeLessThanOrEqual(NOW + MAX_LIFETIME_SECONDS * 1000);
          }
          // What a store writes and reads back: no "Invalid time value" after a refresh.
          const json = JSON.parse(JSON.stringify(tokenSetToJSON(tokens)));
          // (`extra` as JSON has it: JSON keeps no -0.)
          expect(tokenSetFromJSON(json)).toEqual({
            ...tokens,
            extra: JSON.parse(JSON.stringify(tokens.extra)),
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
    // Both sides of the contract were exercised, not only the refusals.
    expect(outcomes.parsed).toBeGreaterThan(NUM_RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(NUM_RUNS / 20);
  });
});
