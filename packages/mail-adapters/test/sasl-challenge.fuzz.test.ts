import { decodeSaslErrorChallenge, MAIL_INVALID_SASL_CHALLENGE } from '@oauth-authorizer/mail-adapters';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOrTypedError } from '../../core/test/fuzz-outcome.js';

// Property: whatever a mail server sends after `+ ` or `334 ` when it refuses a token, the decoder
// returns a challenge with a status or throws MAIL_INVALID_SASL_CHALLENGE (or a TypeError for a
// non-string), and the error repeats nothing the challenge carried (a server may put the refused
// token in it).

const NUM_RUNS = 1500;

const secret = fc.string({ minLength: 4, maxLength: 30 }).map((value) => `tok-${value}-secret`);
const value = fc.oneof(secret, fc.jsonValue({ maxDepth: 2 }));

const challengeObject = fc.record(
  {
    status: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('invalid_token', '401', 'insufficient_scope') },
      { weight: 2, arbitrary: fc.integer({ min: 100, max: 599 }) },
      { weight: 2, arbitrary: value },
    ),
    schemes: fc.option(value, { nil: undefined }),
    scope: fc.option(value, { nil: undefined }),
    'openid-configuration': fc.option(value, { nil: undefined }),
    token: fc.option(secret, { nil: undefined }),
  },
  { requiredKeys: [] },
);

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** What comes after `+ `: base64 JSON of an object, of any JSON, of broken JSON, or any text. */
const challenge = fc.oneof(
  { weight: 5, arbitrary: challengeObject.map((object) => base64(JSON.stringify(object))) },
  fc.jsonValue().map((json) => base64(JSON.stringify(json) ?? 'null')),
  fc.string({ unit: 'binary', maxLength: 60 }).map(base64),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 60 }).map((text) => ` ${base64(text)} `),
  fc.constantFrom('', ' ', '=', 'AQ==', 'e30=', 'bnVsbA=='),
  fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined), fc.object()),
);

function secretsIn(input: unknown): string[] {
  if (typeof input !== 'string') return [];
  const decoded = Buffer.from(input.trim(), 'base64').toString('utf8');
  return [...new Set([...decoded.matchAll(/tok-.*?-secret/gs)].map((match) => match[0]))];
}

describe('decodeSaslErrorChallenge() fuzzed', () => {
  it(`returns a challenge with a status or MAIL_INVALID_SASL_CHALLENGE, repeating nothing it carried (${NUM_RUNS} runs)`, () => {
    const outcomes = { decoded: 0, refused: 0 };
    fc.assert(
      fc.property(challenge, (input) => {
        let thrown: unknown;
        const decoded = parseOrTypedError(() => {
          try {
            return decodeSaslErrorChallenge(input as string);
          } catch (error) {
            thrown = error;
            throw error;
          }
        }, secretsIn(input));
        outcomes[decoded === undefined ? 'refused' : 'decoded'] += 1;
        if (decoded === undefined) {
          if (typeof input === 'string')
            expect((thrown as { code?: string }).code).toBe(MAIL_INVALID_SASL_CHALLENGE);
          else expect(thrown).toBeInstanceOf(TypeError);
          return;
        }
        expect(typeof decoded.status).toBe('string');
        expect(decoded.status.length).toBeGreaterThan(0);
        for (const field of [decoded.schemes, decoded.scope, decoded.openidConfiguration])
          expect(field === undefined || typeof field === 'string').toBe(true);
        expect(typeof decoded.fields).toBe('object');
      }),
      { numRuns: NUM_RUNS },
    );
    expect(outcomes.decoded).toBeGreaterThan(NUM_RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(NUM_RUNS / 20);
  });
});
