import { MAX_LIFETIME_SECONDS, OAUTH_INVALID_RESPONSE } from '@oauth-authorizer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceAuthorizationFromResponse } from '../src/flows/device-code.js';
import { parseOrTypedError } from './fuzz-outcome.js';

// Property: whatever a device authorization endpoint sends (RFC 8628 §3.2), the result is a
// device authorization a flow can poll with, or OAUTH_INVALID_RESPONSE; the device code, a secret
// for the token endpoint, never appears in the error.

const NUM_RUNS = 1500;
const NOW = 1_700_000_000_000;

const anyJson = fc.jsonValue({ maxDepth: 2 });

const seconds = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  fc.double(),
  fc.constantFrom(0, -1, 2.5, 1e20, 1e308, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: -10, max: 1e9 }).map(String),
  fc.constantFrom('1800', '2.5', ' 5 ', '', 'soon'),
  anyJson,
);

const deviceCode = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 4, maxLength: 40 }).map((value) => `dc-${value}-secret`) },
  fc.string({ unit: 'binary', minLength: 8, maxLength: 40 }),
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 12, arbitrary }, { weight: 1, arbitrary: anyJson }), {
    nil: undefined,
    freq: 2,
  });

const response = fc.record(
  {
    device_code: fc.oneof({ weight: 8, arbitrary: deviceCode }, { weight: 1, arbitrary: anyJson }),
    user_code: maybe(fc.string({ maxLength: 12 })),
    verification_uri: maybe(fc.webUrl()),
    verification_url: maybe(fc.webUrl()),
    verification_uri_complete: maybe(fc.webUrl()),
    expires_in: fc.oneof({ weight: 8, arbitrary: seconds }, { weight: 1, arbitrary: fc.constant(undefined) }),
    interval: maybe(seconds),
  },
  { requiredKeys: [] },
);

describe('deviceAuthorizationFromResponse() fuzzed', () => {
  it(`returns a pollable authorization or OAUTH_INVALID_RESPONSE without the device code (${NUM_RUNS} runs)`, () => {
    const outcomes = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(response, (body) => {
        const secrets = typeof body.device_code === 'string' ? [body.device_code] : [];
        let code: unknown;
        const authorization = parseOrTypedError(() => {
          try {
            return deviceAuthorizationFromResponse(body as Record<string, unknown>, NOW);
          } catch (error) {
            code = (error as { code?: unknown }).code;
            throw error;
          }
        }, secrets);
        outcomes[authorization === undefined ? 'refused' : 'parsed'] += 1;
        if (authorization === undefined) {
          expect(code).toBe(OAUTH_INVALID_RESPONSE);
          return;
        }
        expect(authorization.deviceCode).toBe(body.device_code);
        for (const field of [authorization.deviceCode, authorization.userCode, authorization.verificationUri])
          expect(field.length).toBeGreaterThan(0);
        expect(Number.isInteger(authorization.interval) && authorization.interval > 0).toBe(true);
        expect(authorization.interval).toBeLessThanOrEqual(MAX_LIFETIME_SECONDS);
        expect(authorization.expiresAt).toBeGreaterThan(NOW);
        expect(authorization.expiresAt).toBeLessThanOrEqual(NOW + MAX_LIFETIME_SECONDS * 1000);
        expect(() => new Date(authorization.expiresAt).toISOString()).not.toThrow();
      }),
      { numRuns: NUM_RUNS },
    );
    expect(outcomes.parsed).toBeGreaterThan(NUM_RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(NUM_RUNS / 20);
  });
});
