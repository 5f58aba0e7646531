import {
  type AuthorizationRequest,
  AuthorizationResponseError,
  createAuthorizationRequest,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_AUTHORIZATION_RESPONSE_ERROR,
  OAUTH_INVALID_AUTHORIZATION_RESPONSE,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_STATE_MISMATCH,
  type ProviderConfig,
  validateAuthorizationResponse,
} from '@oauth-authorizer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOrTypedError } from './fuzz-outcome.js';

// Property: whatever comes back as the redirect — the URL the listener got, or text a person
// pasted — validateAuthorizationResponse() returns a response with the request's state and a code,
// or a typed error; the authorization code never appears in that error.

const NUM_RUNS = 1500;
const ISSUER = 'https://issuer.example.test';

const provider: ProviderConfig = {
  issuer: ISSUER,
  authorizationUrl: `${ISSUER}/authorize`,
  clientId: 'native',
};
const request: AuthorizationRequest = createAuthorizationRequest(provider, {
  redirectUri: 'http://127.0.0.1:8080/callback',
});

const CODES = [
  OAUTH_STATE_MISMATCH,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_INVALID_AUTHORIZATION_RESPONSE,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_AUTHORIZATION_RESPONSE_ERROR,
];

const code = fc.string({ minLength: 4, maxLength: 40 }).map((value) => `code-${value}-secret`);
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
/** A parameter that is there `present` times in `present + absent`. */
const param = <T>(arbitrary: fc.Arbitrary<T>, present = 4, absent = 1) =>
  fc.oneof({ weight: present, arbitrary }, { weight: absent, arbitrary: fc.constant(undefined) });

const parameters = fc.record(
  {
    code: param(fc.oneof({ weight: 4, arbitrary: code }, { weight: 1, arbitrary: fc.constant('') })),
    state: param(
      fc.oneof({ weight: 6, arbitrary: fc.constant(request.state) }, { weight: 1, arbitrary: text }),
    ),
    iss: param(fc.oneof({ weight: 4, arbitrary: fc.constant(ISSUER) }, { weight: 1, arbitrary: text })),
    error: param(fc.oneof(fc.constantFrom('access_denied', 'server_error'), text), 1, 4),
    error_description: param(text, 1, 1),
    extra: param(text),
  },
  { requiredKeys: [] },
);

/** The callback in each form it may take: a URL object, its text, a pasted query, or any text. */
const callback = fc.oneof(
  parameters.chain((fields) => {
    const query = new URLSearchParams(
      Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return fc.record({
      fields: fc.constant(fields),
      input: fc.constantFrom<URL | string>(
        new URL(`http://127.0.0.1:8080/callback?${query}`),
        `http://127.0.0.1:8080/callback?${query}`,
        `  ${query}  `,
        `?${query}`,
      ),
    });
  }),
  fc.tuple(code, fc.string({ unit: 'binary', maxLength: 60 })).map(([secret, noise]) => ({
    fields: { code: secret },
    input: `${noise}code=${encodeURIComponent(secret)}${noise}`,
  })),
);

describe('validateAuthorizationResponse() fuzzed', () => {
  it(`returns a validated response or a typed error, never the code in it (${NUM_RUNS} runs)`, () => {
    const outcomes = { validated: 0, refused: 0 };
    fc.assert(
      fc.property(callback, ({ fields, input }) => {
        const secrets = typeof fields.code === 'string' ? [fields.code, encodeURIComponent(fields.code)] : [];
        let thrown: unknown;
        const response = parseOrTypedError(() => {
          try {
            return validateAuthorizationResponse(provider, request, input);
          } catch (error) {
            thrown = error;
            throw error;
          }
        }, secrets);
        outcomes[response === undefined ? 'refused' : 'validated'] += 1;
        if (response === undefined) {
          expect(CODES).toContain((thrown as { code?: string }).code);
          if (thrown instanceof AuthorizationResponseError) expect(typeof thrown.error).toBe('string');
          return;
        }
        expect(response.state).toBe(request.state);
        expect(response.code.length).toBeGreaterThan(0);
        if (response.iss !== undefined) expect(response.iss).toBe(ISSUER);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(outcomes.validated).toBeGreaterThan(NUM_RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(NUM_RUNS / 20);
  });
});
