import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  definePreset,
  loadPreset,
  PRESET_AMBIGUOUS,
  PRESET_ID_CLASH,
  PRESET_INVALID,
  PRESET_LOAD_FAILED,
  PRESET_NO_PRESETS,
  type Preset,
  type PresetDefinition,
  PresetError,
} from '@oauth-authorizer/presets';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposedText } from '../../core/test/fuzz-outcome.js';
import { presetRejection } from './preset-rejection.js';

// Property: whatever a preset definition or a preset JSON file holds, definePreset() / loadPreset()
// give a valid, frozen preset or throw a PresetError (or a TypeError for a definition that is not
// an object), never another exception; and no secret the definition carries (its client secret,
// a secret under a misspelt field name, a token header value, a URL's password) appears in the error.

const NUM_RUNS = 1200;

/** A recognisable secret; any characters in the middle, quotes and control characters included. */
const secretArbitrary = fc
  .oneof(
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 24 }),
    fc.string({ minLength: 1, maxLength: 24 }),
  )
  .map((value) => `cs-${value}-S3CR3T-7f3a`);

/** A definition the fuzz starts from: valid, with every kind of field, the client secret among them. */
function validDefinition(secret: string): Record<string, unknown> {
  return {
    id: 'acme-mail',
    name: 'Acme Mail',
    description: 'Acme’s mail service',
    documentationUrl: 'https://docs.acme.example/oauth',
    authorizationUrl: 'https://id.acme.example/{tenant}/authorize',
    deviceAuthorizationUrl: 'https://id.acme.example/{tenant}/device',
    tokenUrl: 'https://id.acme.example/{tenant}/token',
    revocationUrl: 'https://id.acme.example/revoke',
    scopes: { default: ['openid', 'offline_access', 'mail'], imap: ['mail.imap', 'offline_access'] },
    flows: ['code', 'device'],
    preferredFlow: 'device',
    flowScopes: { code: 'default' },
    authorizationParams: { prompt: 'consent', domain_hint: '{tenant}' },
    tokenHeaders: { 'X-Acme-Client': 'oauth-authorizer' },
    clientAuth: 'client_secret_post',
    clientId: 'acme-client-id',
    clientSecret: secret,
    redirectUrl: 'http://127.0.0.1:8400/callback',
    parameters: { tenant: { description: 'The tenant', default: 'common', pattern: '^[a-z0-9-]+$' } },
    warnings: ['Acme tokens last one hour', { message: 'The device flow needs a tenant', flows: ['device'] }],
    emailDomains: ['acme.example', { domain: 'corp.acme.example', parameters: { tenant: 'corp' } }],
    mail: {
      imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' },
      smtp: { host: '{tenant}.smtp.acme.example', port: 587, tls: 'starttls' },
      pop3: { host: '127.0.0.1', port: 1995, tls: 'none' },
      sasl: 'OAUTHBEARER',
    },
    $schema: 'https://acme.example/preset.schema.json',
  };
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
/** Names that trip plain-object lookups: inherited members and the prototype itself. */
const trickyName = fc.constantFrom('constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf');
const name = fc.oneof(fc.constantFrom('tenant', 'region', 'Tenant', 'tenant2', '', '1st'), trickyName);

const url = (secret: string) =>
  fc.oneof(
    fc.constantFrom(
      'https://id.acme.example/token',
      'https://id.acme.example/{tenant}/token',
      'https://{tenant}.acme.example/token',
      'http://127.0.0.1:8080/token',
      'http://localhost/token',
      'http://[::1]:9/token',
      'http://id.acme.example/token',
      'http://acme.localhost/token',
      'https://id.acme.example/token#fragment',
      'https://id.acme.example/{unknown}/token',
      'https://id.acme.example/{tenant/token',
      'https://id.acme.example/{constructor}/token',
      'ftp://id.acme.example/token',
      'id.acme.example/token',
      'https://',
      '',
      ' ',
    ),
    // A password in a URL is a secret too, also in a URL that does not parse.
    fc
      .constantFrom('https', 'http')
      .map((scheme) => `${scheme}://acme-client:${secret}@id.acme.example/token`),
    fc.constant(`https://acme-client:${encodeURIComponent(secret)}@id.acme.example/token`),
    fc.constant(`https://acme-client:${encodeURIComponent(secret)}@id.acme.example/token#x`),
    fc.string({ maxLength: 30 }).map((path) => `https://id.acme.example/${path}`),
    fc.string({ maxLength: 30 }),
  );

const parameter = fc.record(
  {
    description: fc.oneof(fc.constant('A parameter'), fc.constant(''), anyJson),
    default: fc.oneof(fc.constantFrom('common', 'corp', 'a b', ''), anyJson),
    pattern: fc.oneof(fc.constantFrom('^[a-z]+$', '^(common|corp)$', '(', '[', '\\', '^.*$'), anyJson),
    choices: fc.oneof(
      fc.constant(['common', 'corp']),
      fc.constant({ common: 'common', corp: 'corp.internal', constructor: 'x' }),
      fc.constant([]),
      fc.constant({}),
      anyJson,
    ),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

const mailServer = fc.record(
  {
    host: fc.oneof(
      fc.constantFrom('imap.acme.example', '{tenant}.imap.acme.example', '127.0.0.1', '::1', 'localhost'),
      fc.constantFrom('mail.localhost', '10.0.0.1', 'bad host', '{constructor}.example', '{x', ''),
      anyJson,
    ),
    port: fc.oneof(fc.constantFrom(993, 587, 995, 0, 65536, 1.5, -1), anyJson),
    tls: fc.oneof(fc.constantFrom('implicit', 'starttls', 'none', 'NONE', 'ssl'), anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

const scopeList = fc.oneof(
  fc.constant(['mail', 'offline_access']),
  fc.constant(['mail', 'mail']),
  fc.constant(['a b']),
  fc.constant(['']),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
  anyJson,
);
const flowList = fc.oneof(
  fc.subarray(['code', 'device', 'client_credentials'], { minLength: 1 }),
  fc.constant(['code', 'code']),
  fc.constant([]),
  fc.constant(['implicit']),
  anyJson,
);

/** For each field: values a preset author or a broken file might have there. */
function alternatives(secret: string): Record<string, fc.Arbitrary<unknown>> {
  const secretHolder = fc.constantFrom(secret, [secret], { value: secret }, `${secret}\n`);
  return {
    id: fc.oneof(
      fc.constantFrom('acme', 'google', 'Acme', 'acme--mail', '-acme', 'a'.repeat(65), ''),
      fc.stringMatching(/^[a-z0-9]{1,8}(?:-[a-z0-9]{1,8})?$/),
      fc.string({ maxLength: 20 }),
    ),
    name: fc.oneof(fc.constantFrom('Acme', '', '  '), anyJson),
    description: fc.oneof(fc.constant(''), anyJson),
    documentationUrl: url(secret),
    authorizationUrl: url(secret),
    deviceAuthorizationUrl: url(secret),
    tokenUrl: url(secret),
    revocationUrl: url(secret),
    issuer: url(secret),
    redirectUrl: url(secret),
    scopes: fc.oneof(
      scopeList,
      fc.dictionary(fc.oneof(fc.constantFrom('default', 'imap'), name), scopeList, { maxKeys: 3 }),
    ),
    flows: flowList,
    preferredFlow: fc.oneof(fc.constantFrom('code', 'device', 'client_credentials', 'implicit'), anyJson),
    flowScopes: fc.oneof(
      fc.dictionary(
        fc.constantFrom('code', 'device', 'implicit', 'constructor'),
        fc.constantFrom('default', 'imap', 'constructor', 'toString'),
        { maxKeys: 2 },
      ),
      anyJson,
    ),
    authorizationParams: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.constantFrom('prompt', 'scope', 'state', ''), trickyName),
        fc.oneof(fc.constantFrom('consent', '{tenant}', '{oops'), anyJson),
        { maxKeys: 3 },
      ),
      anyJson,
    ),
    tokenHeaders: fc.oneof(
      fc.constant({ 'X-Api-Key': secret }),
      fc.constant({ 'X-Api-Key': `${secret}\r\nX-Injected: 1` }),
      fc.constant({ 'Bad Header': secret }),
      fc.constant({ Authorization: `Basic ${secret}` }),
      fc.constant(
        JSON.parse(`{"__proto__":${JSON.stringify(secret)},"constructor":${JSON.stringify(secret)}}`),
      ),
      fc.constant({ 'X-Api-Key': [secret] }),
      fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 2 }),
      anyJson,
    ),
    clientAuth: fc.oneof(
      fc.constantFrom('client_secret_post', 'client_secret_basic', 'none', 'private_key_jwt'),
      anyJson,
    ),
    clientId: fc.oneof(fc.constantFrom('acme-client-id', ''), anyJson),
    clientSecret: fc.oneof(secretHolder, fc.constant(''), anyJson),
    clientSecretRequired: fc.oneof(fc.boolean(), flowList),
    parameters: fc.oneof(
      fc.dictionary(name, parameter, { maxKeys: 3 }),
      fc.record({ tenant: parameter }),
      anyJson,
    ),
    warnings: fc.oneof(
      fc.array(
        fc.oneof(
          fc.constant('a warning'),
          fc.record({ message: anyJson, flows: flowList, scopes: scopeList }, { requiredKeys: [] }),
          anyJson,
        ),
        { maxLength: 3 },
      ),
      anyJson,
    ),
    emailDomains: fc.oneof(
      // A domain implying a value for a parameter, declared or not.
      fc
        .tuple(fc.constantFrom('acme.example', 'corp.acme.example'), name, fc.constantFrom('corp', 'common'))
        .map(([domain, parameter, value]) => [
          { domain, parameters: JSON.parse(`{${JSON.stringify(parameter)}:${JSON.stringify(value)}}`) },
        ]),
      fc.array(
        fc.oneof(
          fc.constantFrom('acme.example', 'ACME.example', 'localhost', '', 'a..b'),
          fc.record(
            {
              domain: fc.constantFrom('acme.example', 'corp.acme.example', 'x'),
              parameters: fc.oneof(
                fc.dictionary(name, fc.oneof(fc.constantFrom('corp', 'common', 'A B'), anyJson), {
                  maxKeys: 2,
                }),
                anyJson,
              ),
            },
            { requiredKeys: ['domain'] },
          ),
          anyJson,
        ),
        { maxLength: 3 },
      ),
      anyJson,
    ),
    mail: fc.oneof(
      fc.record(
        {
          imap: fc.oneof(mailServer, anyJson),
          smtp: fc.oneof(mailServer, anyJson),
          pop3: fc.oneof(mailServer, anyJson),
          sasl: fc.oneof(fc.constantFrom('XOAUTH2', 'OAUTHBEARER', 'PLAIN'), anyJson),
          jmap: anyJson,
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    hooks: fc.oneof(fc.constant({ validateRequest: 'not a function' }), anyJson),
    $schema: anyJson,
  };
}

/** Fields that are not preset fields: the client secret under names a user might misspell it as, and keys objects inherit. */
const strayFields = (secret: string) =>
  fc.dictionary(
    fc.oneof(
      fc.constantFrom('clientsecret', 'client_secret', 'ClientSecret', 'secret', 'tokenURL'),
      trickyName,
      fc.string({ maxLength: 12 }),
    ),
    fc.oneof(fc.constant(secret), anyJson),
    { maxKeys: 2 },
  );

interface Case {
  secret: string;
  definition: unknown;
}

/** Marks a field the case leaves out. */
const LEFT_OUT = Symbol('left out');
/** Stands for the case's secret while a definition is generated; building the arbitraries per secret would cost 30 ms a case. */
const SECRET = '<<secret>>';

/** `value` with the secret in place of {@link SECRET} (and of its URL-encoded form), in keys and values. */
function withSecret(value: unknown, secret: string): unknown {
  if (typeof value === 'string') {
    return value
      .split(encodeURIComponent(SECRET))
      .join(encodeURIComponent(secret))
      .split(SECRET)
      .join(secret);
  }
  if (Array.isArray(value)) return value.map((item) => withSecret(item, secret));
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    // Own properties, as JSON.parse defines them (`__proto__` included).
    Object.defineProperty(result, withSecret(key, secret) as string, {
      value: withSecret(entry, secret),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

const fields = alternatives(SECRET);

/** A definition: the valid one with a few fields changed or left out and a few added, or any JSON at all. */
const mutated = fc
  .uniqueArray(fc.constantFrom(...Object.keys(fields)), { maxLength: 4 })
  .chain((changed) =>
    fc.tuple(
      fc.constant(changed),
      fc.tuple(
        ...changed.map((key) =>
          fc.oneof(
            { weight: 1, arbitrary: fc.constant(LEFT_OUT) },
            { weight: 2, arbitrary: fields[key] as fc.Arbitrary<unknown> },
          ),
        ),
      ),
      fc.option(strayFields(SECRET), { nil: undefined, freq: 3 }),
    ),
  )
  .map(([changed, values, stray]) => {
    const definition = validDefinition(SECRET);
    changed.forEach((key, index) => {
      if (values[index] === LEFT_OUT) delete definition[key];
      else definition[key] = values[index];
    });
    for (const [key, value] of Object.entries(stray ?? {})) {
      Object.defineProperty(definition, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return definition;
  });

const caseArbitrary: fc.Arbitrary<Case> = fc
  .tuple(secretArbitrary, fc.oneof({ weight: 12, arbitrary: mutated }, { weight: 1, arbitrary: anyJson }))
  .map(([secret, definition]) => ({ secret, definition: withSecret(definition, secret) }));

/** The forms a secret could take in a message: raw, JSON-escaped, URL-encoded. */
function expectNoSecret(error: Error, secret: string): void {
  const text = exposedText(error);
  for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
    expect(text.includes(form), `secret in: ${error.message}`).toBe(false);
  }
  expect(text.includes('S3CR3T-7f3a'), `part of the secret in: ${error.message}`).toBe(false);
}

/** A valid preset must be frozen, consistent and a fixed point of definePreset(). */
function expectValidPreset(preset: Preset): void {
  expect(Object.isFrozen(preset)).toBe(true);
  expect(Object.isFrozen(preset.parameters)).toBe(true);
  expect(preset.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  expect(preset.flows).toContain(preset.preferredFlow);
  for (const { parameters } of preset.emailDomains) {
    for (const key of Object.keys(parameters ?? {})) {
      expect(
        Object.hasOwn(preset.parameters, key),
        `emailDomains imply the undeclared parameter "${key}"`,
      ).toBe(true);
    }
  }
  for (const server of [preset.mail?.imap, preset.mail?.smtp, preset.mail?.pop3]) {
    if (server) expect(Number.isInteger(server.port) && server.port >= 1 && server.port <= 65535).toBe(true);
  }
  expect(definePreset(preset as unknown as PresetDefinition)).toEqual(preset);
}

/** Runs `define`: a preset, or an allowed typed error without the secret; anything else fails. */
async function outcome(
  define: () => Preset | Promise<Preset>,
  secret: string,
  codes: readonly string[],
): Promise<Preset | Error> {
  try {
    return await define();
  } catch (error) {
    if (error instanceof PresetError) expect(codes).toContain(error.code);
    else if (!(error instanceof TypeError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    expectNoSecret(error, secret);
    return error;
  }
}

/** The error definePreset() throws; a test failure when it throws another kind or does not throw. */
function rejection(definition: unknown): PresetError {
  return presetRejection(
    () => definePreset(definition as PresetDefinition),
    'definePreset() accepted the definition',
  );
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'preset-json-fuzz-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('preset JSON validation fuzzed', () => {
  it(`definePreset() gives a valid preset or PRESET_INVALID / TypeError, never the secret (${NUM_RUNS} runs)`, async () => {
    const counts = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ({ secret, definition }) => {
        const result = await outcome(() => definePreset(definition as PresetDefinition), secret, [
          PRESET_INVALID,
        ]);
        if (result instanceof Error) {
          counts.invalid += 1;
          return;
        }
        counts.valid += 1;
        expectValidPreset(result);
      }),
      { numRuns: NUM_RUNS },
    );
    // Both sides of the contract were exercised.
    expect(counts.valid).toBeGreaterThan(NUM_RUNS / 20);
    expect(counts.invalid).toBeGreaterThan(NUM_RUNS / 4);
  }, 120_000);

  it(`loadPreset() of a JSON file, whole or damaged, gives a valid preset or a PresetError, never the secret (${NUM_RUNS} runs)`, async () => {
    let run = 0;
    const counts = { valid: 0, refused: 0 };
    /** How the file is written: as it is, as a list, with a BOM, cut short, or with a byte changed. */
    const damage = fc.oneof(
      { weight: 4, arbitrary: fc.constant({ kind: 'whole' as const }) },
      fc.constant({ kind: 'list' as const }),
      fc.constant({ kind: 'bom' as const }),
      fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'cut' as const, at })),
      fc
        .tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.constantFrom('"', ',', '}', '\\', '\u0000', 'x'),
        )
        .map(([at, byte]) => ({ kind: 'byte' as const, at, byte })),
    );
    await fc.assert(
      fc.asyncProperty(caseArbitrary, damage, async ({ secret, definition }, how) => {
        const json = JSON.stringify(definition, null, 2) ?? 'null';
        const position = 'at' in how ? Math.floor(how.at * json.length) : 0;
        const text =
          how.kind === 'list'
            ? JSON.stringify([definition, definition])
            : how.kind === 'bom'
              ? `\uFEFF${json}`
              : how.kind === 'cut'
                ? json.slice(0, position)
                : how.kind === 'byte'
                  ? `${json.slice(0, position)}${how.byte}${json.slice(position + 1)}`
                  : json;
        const path = join(directory, `preset-${run++}.json`);
        await writeFile(path, text);
        const result = await outcome(() => loadPreset(path), secret, [
          PRESET_INVALID,
          PRESET_LOAD_FAILED,
          PRESET_NO_PRESETS,
          PRESET_ID_CLASH,
          PRESET_AMBIGUOUS,
        ]);
        if (result instanceof Error) {
          counts.refused += 1;
          // Every refusal of a file names the file.
          expect(result.message).toContain(path);
          return;
        }
        counts.valid += 1;
        expectValidPreset(result);
        expect(result).toEqual(definePreset(JSON.parse(text.replace(/^\uFEFF/, '')) as PresetDefinition));
      }),
      { numRuns: NUM_RUNS },
    );
    expect(counts.valid).toBeGreaterThan(NUM_RUNS / 20);
    expect(counts.refused).toBeGreaterThan(NUM_RUNS / 4);
  }, 180_000);

  // Defects the properties above found, fixed in packages/presets/src; each stays as a regression test.
  describe('found defects', () => {
    const secret = 'cs-pass\\word[1]-S3CR3T-7f3a';

    it('a token URL with a password that does not parse is not quoted with the password', () => {
      // The backslash ends the authority (WHATWG URL), so "cs-pass" becomes an invalid port.
      const tokenUrl = `https://acme-client:${secret}@id.acme.example/token`;
      expect(URL.canParse(tokenUrl)).toBe(false);
      const error = rejection({ ...validDefinition(secret), tokenUrl });
      expect(error.fields).toEqual(['tokenUrl']);
      expectNoSecret(error, secret);
    });

    it('a token URL with a password and a stray brace is not quoted with the password', () => {
      const braced = 'cs-pass{1}word-S3CR3T-7f3a';
      const error = rejection({
        ...validDefinition(braced),
        tokenUrl: `https://acme-client:${braced}@id.acme.example/token`,
      });
      expect(error.fields).toEqual(['tokenUrl']);
      expectNoSecret(error, braced);
    });

    it('a parameter pattern that does not compile, used by an email domain, is PRESET_INVALID', () => {
      const definition = {
        ...validDefinition(secret),
        parameters: { tenant: { description: 'The tenant', pattern: '[' } },
      };
      expect(rejection(definition).fields).toContain('parameters.tenant.pattern');
    });

    // checkEmailDomains() looks the name up with `parameters[name]` on a plain object.
    it.each(['constructor', 'toString', '__proto__'])(
      'an email domain implying "%s", which the preset does not declare, is PRESET_INVALID',
      (parameter) => {
        const definition = {
          ...validDefinition(secret),
          emailDomains: [{ domain: 'acme.example', parameters: JSON.parse(`{"${parameter}":"corp"}`) }],
        };
        expect(rejection(definition).fields).toEqual([`emailDomains.0.parameters.${parameter}`]);
      },
    );
  });
});
