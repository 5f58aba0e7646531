import { readFileSync } from 'node:fs';
import {
  definePreset,
  PRESET_INVALID,
  type PresetDefinition,
  type PresetError,
} from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';
import { presetRejection } from './preset-rejection.js';

/** The preset JSON example of the product spec, as it is written there. */
const specExample = JSON.parse(
  readFileSync(new URL('./fixtures/acme.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function rejection(definition: unknown): PresetError {
  return presetRejection(
    () => definePreset(definition as PresetDefinition),
    'definePreset() accepted an invalid definition',
  );
}

const tenant = { description: 'The tenant', default: 'common', pattern: '^[a-z]+$' };

/** [what is wrong, the change to the spec's example, the field the error must name] */
const invalidCases: [string, Record<string, unknown>, string][] = [
  ['an id with capitals', { id: 'Acme' }, 'id'],
  ['an id with a double dash', { id: 'acme--mail' }, 'id'],
  ['no id', { id: undefined }, 'id'],
  ['an empty name', { name: '' }, 'name'],
  ['no name', { name: undefined }, 'name'],
  ['documentation on plain http', { documentationUrl: 'http://docs.acme.example' }, 'documentationUrl'],
  ['an unknown field', { tokenURL: 'https://id.acme.example/token' }, 'tokenURL'],
  ['a token URL on plain http', { tokenUrl: 'http://id.acme.example/token' }, 'tokenUrl'],
  ['a token URL that is no URL', { tokenUrl: 'id.acme.example/token' }, 'tokenUrl'],
  ['a token URL that is no string', { tokenUrl: 42 }, 'tokenUrl'],
  [
    'an authorization URL with a fragment',
    { authorizationUrl: 'https://id.acme.example/a#x' },
    'authorizationUrl',
  ],
  [
    'a revocation URL with a password',
    { revocationUrl: 'https://u:p@id.acme.example/revoke' },
    'revocationUrl',
  ],
  ['an undeclared placeholder', { tokenUrl: 'https://id.acme.example/{tenant}/token' }, 'tokenUrl'],
  ['a stray brace', { tokenUrl: 'https://id.acme.example/{tenant/token' }, 'tokenUrl'],
  ['an issuer on plain http', { issuer: 'http://id.acme.example' }, 'issuer'],
  ['scopes as one string', { scopes: 'openid mail' }, 'scopes'],
  ['a scope with a space', { scopes: ['mail', 'two words'] }, 'scopes'],
  ['scope sets without default', { scopes: { imap: ['mail'] } }, 'scopes.default'],
  ['a scope set with a bad name', { scopes: { default: [], 'bad name': [] } }, 'scopes.bad name'],
  ['no flows', { flows: undefined }, 'flows'],
  ['empty flows', { flows: [] }, 'flows'],
  ['an unknown flow', { flows: ['code', 'implicit'] }, 'flows'],
  ['a flow listed twice', { flows: ['code', 'device', 'code'] }, 'flows'],
  ['a preferred flow it does not support', { preferredFlow: 'client_credentials' }, 'preferredFlow'],
  ['a flow scope set that does not exist', { flowScopes: { device: 'tv' } }, 'flowScopes.device'],
  [
    'a flow scope set for an unsupported flow',
    { flowScopes: { client_credentials: 'default' } },
    'flowScopes.client_credentials',
  ],
  [
    'an authorization parameter the flow sets',
    { authorizationParams: { state: 'fixed' } },
    'authorizationParams.state',
  ],
  [
    'an authorization parameter that is no string',
    { authorizationParams: { prompt: 5 } },
    'authorizationParams.prompt',
  ],
  [
    'a client authentication header',
    { tokenHeaders: { Authorization: 'Basic eA==' } },
    'tokenHeaders.Authorization',
  ],
  ['a malformed header name', { tokenHeaders: { 'bad header': 'x' } }, 'tokenHeaders.bad header'],
  ['a header value with a line break', { tokenHeaders: { Accept: 'a\r\nX-Evil: 1' } }, 'tokenHeaders.Accept'],
  ['an unknown client authentication', { clientAuth: 'private_key_jwt' }, 'clientAuth'],
  ['a client secret without a client ID', { clientSecret: 'published-secret' }, 'clientSecret'],
  ['an empty client secret', { clientId: 'acme-cli', clientSecret: '' }, 'clientSecret'],
  [
    'a secret with a public client',
    { clientId: 'acme-cli', clientSecret: 'published', clientAuth: 'none' },
    'clientAuth',
  ],
  [
    'a secret required for an unsupported flow',
    { clientSecretRequired: ['client_credentials'] },
    'clientSecretRequired',
  ],
  ['a secret requirement that is no flow list', { clientSecretRequired: 'yes' }, 'clientSecretRequired'],
  [
    'a redirect URL off loopback on plain http',
    { redirectUrl: 'http://acme.example/callback' },
    'redirectUrl',
  ],
  ['a parameter without description', { parameters: { tenant: {} } }, 'parameters.tenant.description'],
  [
    'a parameter with a bad name',
    { parameters: { 'my-tenant': { description: 'x' } } },
    'parameters.my-tenant',
  ],
  [
    'a parameter pattern that does not compile',
    { parameters: { tenant: { description: 'x', pattern: '(' } } },
    'parameters.tenant.pattern',
  ],
  [
    'a parameter default outside its choices',
    { parameters: { tenant: { description: 'x', default: 'c', choices: ['a', 'b'] } } },
    'parameters.tenant.default',
  ],
  [
    'a parameter default against its pattern',
    { parameters: { tenant: { ...tenant, default: 'Common' } } },
    'parameters.tenant.default',
  ],
  [
    'empty parameter choices',
    { parameters: { tenant: { description: 'x', choices: [] } } },
    'parameters.tenant.choices',
  ],
  [
    'an unknown parameter field',
    { parameters: { tenant: { ...tenant, required: true } } },
    'parameters.tenant.required',
  ],
  ['an empty warning', { warnings: [''] }, 'warnings.0'],
  [
    'a warning for an unsupported flow',
    { warnings: [{ message: 'x', flows: ['client_credentials'] }] },
    'warnings.0.flows',
  ],
  ['a hook that is no function', { hooks: { validateRequest: 'no' } }, 'hooks.validateRequest'],
  ['an unknown hook', { hooks: { beforeToken: () => undefined } }, 'hooks.beforeToken'],
  ['an e-mail domain with capitals', { emailDomains: ['Acme.Example'] }, 'emailDomains.0'],
  [
    'an e-mail domain implying an unknown parameter',
    { emailDomains: [{ domain: 'acme.example', parameters: { region: 'eu' } }] },
    'emailDomains.0.parameters.region',
  ],
  [
    'a mail port of 0',
    { mail: { imap: { host: 'imap.acme.example', port: 0, tls: 'implicit' } } },
    'mail.imap.port',
  ],
  [
    'an unknown TLS mode',
    { mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'ssl' } } },
    'mail.imap.tls',
  ],
  [
    'a mail host with a space',
    { mail: { imap: { host: 'imap acme', port: 993, tls: 'implicit' } } },
    'mail.imap.host',
  ],
  [
    'no TLS to a remote mail server',
    { mail: { smtp: { host: 'smtp.acme.example', port: 25, tls: 'none' } } },
    'mail.smtp.tls',
  ],
  ['an unknown SASL mechanism', { mail: { sasl: 'PLAIN' } }, 'mail.sasl'],
  [
    'an unknown mail protocol',
    { mail: { jmap: { host: 'jmap.acme.example', port: 443, tls: 'implicit' } } },
    'mail.jmap',
  ],
  ['a device endpoint without the device flow', { flows: ['code'] }, 'deviceAuthorizationUrl'],
  ['the device flow without its endpoint', { deviceAuthorizationUrl: undefined }, 'deviceAuthorizationUrl'],
  ['endpoints without a token URL', { tokenUrl: undefined }, 'tokenUrl'],
  [
    'app-only access with a public client',
    { flows: ['code', 'device', 'client_credentials'], clientAuth: 'none' },
    'clientAuth',
  ],
];

describe('definePreset() validation', () => {
  it.each(invalidCases)(
    'definePreset() rejects %s, naming the preset and the field',
    (_what, change, field) => {
      const error = rejection({ ...specExample, ...change });
      expect(error.code).toBe(PRESET_INVALID);
      expect(error.fields).toContain(field);
      expect(error.message).toContain(`"${field}"`);
      const id = change.id === undefined && 'id' in change ? undefined : ((change.id as string) ?? 'acme');
      expect(error.message).toContain(id === undefined ? 'without a valid "id"' : `preset "${id}"`);
    },
  );

  it('definePreset() suggests the right spelling of a mistyped field', () => {
    expect(rejection({ ...specExample, tokenURL: 'x' }).message).toContain('did you mean "tokenUrl"?');
  });

  it('definePreset() rejects a redirect URL when the preset has no code flow', () => {
    const error = rejection({
      id: 'tv',
      name: 'TV',
      deviceAuthorizationUrl: 'https://tv.example/device',
      tokenUrl: 'https://tv.example/token',
      flows: ['device'],
      redirectUrl: 'http://127.0.0.1/callback',
      authorizationParams: { prompt: 'consent' },
    });
    expect(error.fields).toEqual(expect.arrayContaining(['redirectUrl', 'authorizationParams']));
  });

  it('definePreset() reports every invalid field of a definition in one error', () => {
    const error = rejection({
      ...specExample,
      tokenUrl: 'http://id.acme.example/token',
      flows: ['code', 'fax'],
      name: '',
    });
    expect(error.fields).toEqual(expect.arrayContaining(['tokenUrl', 'flows', 'name']));
  });

  it('definePreset() never shows a client secret in its message', () => {
    const error = rejection({
      ...specExample,
      clientSecret: 'hush-0123456789',
      tokenUrl: 'ftp://id.acme.example',
    });
    expect(error.message).toContain('"clientSecret" is set without a "clientId"');
    expect(error.message).not.toContain('hush-0123456789');
  });

  it('definePreset() checks every choice a placeholder may take, not only the default', () => {
    const error = rejection({
      ...specExample,
      parameters: {
        scheme: { description: 'x', default: 'secure', choices: { secure: 'https', plain: 'http' } },
      },
      tokenUrl: '{scheme}://id.acme.example/token',
    });
    expect(error.fields).toEqual(['tokenUrl']);
    expect(error.message).toContain('scheme=plain');
  });

  it('definePreset() throws a TypeError for something that is not an object', () => {
    expect(() => definePreset('acme' as unknown as PresetDefinition)).toThrow(TypeError);
    expect(() => definePreset(null as unknown as PresetDefinition)).toThrow(TypeError);
  });
});

describe('definePreset() results', () => {
  it("definePreset() accepts the product spec's JSON example as it is", () => {
    const preset = definePreset(specExample as unknown as PresetDefinition);
    expect(preset.id).toBe('acme');
    expect(preset.scopes).toEqual({ default: ['openid', 'offline_access', 'mail'] });
    expect(preset.preferredFlow).toBe('code');
    expect(preset.mail?.imap).toEqual({ host: 'imap.acme.example', port: 993, tls: 'implicit' });
  });

  it('definePreset() fills every optional collection and turns shorthands into their full form', () => {
    const preset = definePreset({
      id: 'acme',
      name: 'Acme',
      tokenUrl: 'https://id.acme.example/token',
      authorizationUrl: 'https://id.acme.example/authorize',
      flows: ['code'],
      clientId: 'acme-cli',
      clientSecretRequired: true,
      parameters: { region: { description: 'Region', default: 'eu', choices: ['eu', 'us'] } },
      warnings: ['Read this.'],
      emailDomains: ['acme.example'],
      mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' } },
    });
    expect(preset).toMatchObject({
      scopes: { default: [] },
      preferredFlow: 'code',
      flowScopes: {},
      authorizationParams: {},
      tokenHeaders: {},
      clientSecretRequired: ['code'],
      parameters: { region: { description: 'Region', default: 'eu', choices: { eu: 'eu', us: 'us' } } },
      warnings: [{ message: 'Read this.' }],
      hooks: {},
      emailDomains: [{ domain: 'acme.example' }],
      mail: { sasl: 'XOAUTH2' },
    });
  });

  it('definePreset() returns a deeply frozen preset', () => {
    const preset = definePreset(specExample as unknown as PresetDefinition);
    expect(Object.isFrozen(preset)).toBe(true);
    expect(Object.isFrozen(preset.scopes.default)).toBe(true);
    expect(Object.isFrozen(preset.mail?.imap)).toBe(true);
    expect(() => {
      (preset as { tokenUrl: string }).tokenUrl = 'https://evil.example/token';
    }).toThrow(TypeError);
  });

  it('definePreset() gives an equal preset when given its own result again', () => {
    const preset = definePreset({
      ...(specExample as unknown as PresetDefinition),
      parameters: { region: { description: 'Region', default: 'eu', choices: { eu: 'eu.acme.example' } } },
      hooks: { validateRequest: () => undefined },
      clientSecretRequired: ['code'],
      warnings: [{ message: 'x', flows: ['device'] }],
    });
    const again = definePreset(preset);
    expect(again).toEqual(preset);
    expect(again.hooks.validateRequest).toBe(preset.hooks.validateRequest);
  });

  it('definePreset() accepts a preset that leaves every endpoint to its user', () => {
    const preset = definePreset({ id: 'bring-your-own', name: 'Anything', flows: ['code', 'device'] });
    expect(preset.tokenUrl).toBeUndefined();
  });

  it('definePreset() lets mail servers on this machine skip TLS, by name or by address', () => {
    for (const host of ['localhost', '127.0.0.1', '::1']) {
      const preset = definePreset({
        ...(specExample as unknown as PresetDefinition),
        mail: { imap: { host, port: 1143, tls: 'none' } },
      });
      expect(preset.mail?.imap?.host).toBe(host);
    }
  });

  it('definePreset() keeps the literal id in the type of the preset', () => {
    const preset = definePreset({ id: 'typed', name: 'Typed', flows: ['device'] });
    const id: 'typed' = preset.id;
    expect(id).toBe('typed');
  });
});
