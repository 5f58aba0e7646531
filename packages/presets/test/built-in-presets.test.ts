import { readFile } from 'node:fs/promises';
import {
  builtInPresets,
  getBuiltInPreset,
  MAIL_PROTOCOLS,
  PRESET_NOT_FOUND,
  type Preset,
  PresetError,
  requireBuiltInPreset,
  resolvePreset,
} from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';

const ENDPOINTS = [
  'issuer',
  'authorizationUrl',
  'deviceAuthorizationUrl',
  'tokenUrl',
  'revocationUrl',
] as const;

/** Every combination of parameter values a user may choose (each choice, else the default). */
function parameterCombinations(preset: Preset): Record<string, string>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const [name, parameter] of Object.entries(preset.parameters)) {
    const values = parameter.choices ? Object.keys(parameter.choices) : [parameter.default as string];
    combinations = combinations.flatMap((combination) =>
      values.map((value) => ({ ...combination, [name]: value })),
    );
  }
  return combinations;
}

const withEndpoints = builtInPresets.filter((preset) => preset.id !== 'custom');

describe.each(builtInPresets.map((preset) => [preset.id, preset] as const))(
  'built-in preset %s',
  (id, preset) => {
    it(`${id}: every endpoint is a well-formed https: URL for every parameter value a user may choose`, () => {
      if (id === 'custom') {
        // Custom settings fix no endpoint: the user's are checked when they are given.
        for (const field of ENDPOINTS) expect(preset[field]).toBeUndefined();
        return;
      }
      for (const parameters of parameterCombinations(preset)) {
        const { provider } = resolvePreset(preset, {
          clientId: 'client',
          clientSecret: 'secret',
          parameters,
          flow: preset.flows.includes('code') ? 'code' : preset.preferredFlow,
        });
        for (const field of ENDPOINTS) {
          const value = provider[field];
          if (value === undefined) continue;
          const url = new URL(value);
          expect(url.protocol, `${id} ${field}`).toBe('https:');
          expect(url.username + url.password + url.hash, `${id} ${field}`).toBe('');
          expect(value, `${id} ${field}`).not.toMatch(/[{}]|%7B|%7D/);
        }
      }
    });

    it(`${id}: each flow has its endpoints`, () => {
      expect(preset.flows.length).toBeGreaterThan(0);
      expect(preset.flows).toContain(preset.preferredFlow);
      if (id === 'custom') return;
      expect(preset.tokenUrl).toBeDefined();
      expect(Boolean(preset.authorizationUrl)).toBe(preset.flows.includes('code'));
      expect(Boolean(preset.deviceAuthorizationUrl)).toBe(preset.flows.includes('device'));
    });

    it(`${id}: scope sets agree with the flows and the mail servers`, () => {
      for (const [flow, set] of Object.entries(preset.flowScopes)) {
        expect(preset.flows).toContain(flow);
        expect(preset.scopes[set]?.length).toBeGreaterThan(0);
      }
      if (!preset.mail) return;
      expect(preset.scopes.default.length).toBeGreaterThan(0);
      const all = new Set(preset.scopes.all?.flatMap((scope) => scope.split(',')));
      for (const protocol of MAIL_PROTOCOLS) {
        const server = preset.mail[protocol];
        const scopes = preset.scopes[protocol];
        // A mail server and a scope set for its protocol come together.
        expect(Boolean(server), `${id} ${protocol}`).toBe(Boolean(scopes));
        if (!server || !scopes) continue;
        expect(server.tls).not.toBe('none');
        for (const scope of scopes) expect(all.has(scope), `${id} all includes ${scope}`).toBe(true);
      }
    });

    it(`${id}: resolves with nothing more than a client and the parameters' defaults`, () => {
      for (const flow of preset.flows) {
        const input =
          id === 'custom'
            ? { clientId: 'client', clientSecret: 'secret', issuer: 'https://id.example.com' }
            : { clientId: 'client', clientSecret: 'secret' };
        const parameters =
          flow === 'client_credentials' && id === 'microsoft' ? { tenant: 'contoso.com' } : {};
        const scopes = flow === 'device' && id === 'google' ? { scopes: ['openid', 'email'] } : {};
        const resolved = resolvePreset(preset, { ...input, flow, parameters, ...scopes });
        expect(resolved.flow).toBe(flow);
      }
    });

    it(`${id}: ships no client secret and is frozen`, () => {
      expect(preset.clientSecret).toBeUndefined();
      expect(Object.isFrozen(preset)).toBe(true);
      expect(getBuiltInPreset(id)).toBe(preset);
    });

    it(`${id}: its source file cites the provider's documentation in the preset's doc comment`, async () => {
      const source = await readFile(new URL(`../src/providers/${id}.ts`, import.meta.url), 'utf8');
      const declaration = source.indexOf(`export const ${id} = definePreset(`);
      expect(declaration).toBeGreaterThan(0);
      const comment = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*$/.exec(source.slice(0, declaration))?.[1];
      expect(comment, 'a TSDoc comment right before the preset').toBeDefined();
      expect(comment).toMatch(/^\s*\* @see https:\/\/\S+/m);
      expect(comment).toContain('@example');
    });
  },
);

describe('built-in presets together', () => {
  it('builtInPresets lists the ten providers once each, custom last', () => {
    expect(builtInPresets.map((preset) => preset.id)).toEqual([
      'google',
      'microsoft',
      'yahoo',
      'aol',
      'fastmail',
      'zoho',
      'yandex',
      'mailru',
      'github',
      'custom',
    ]);
    expect(Object.isFrozen(builtInPresets)).toBe(true);
  });

  it('no e-mail domain belongs to two built-in presets', () => {
    const domains = withEndpoints.flatMap((preset) => preset.emailDomains.map((entry) => entry.domain));
    expect(new Set(domains).size).toBe(domains.length);
  });

  it('requireBuiltInPreset() names the built-in ids when the id is unknown', () => {
    expect(requireBuiltInPreset('zoho').id).toBe('zoho');
    try {
      requireBuiltInPreset('hotmail');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PresetError);
      expect((error as PresetError).code).toBe(PRESET_NOT_FOUND);
      expect((error as PresetError).message).toContain('google, microsoft, yahoo');
    }
  });

  it('Google asks for offline access with consent, and GitHub for JSON answers', () => {
    expect(getBuiltInPreset('google')?.authorizationParams).toEqual({
      access_type: 'offline',
      prompt: 'consent',
    });
    expect(getBuiltInPreset('github')?.tokenHeaders).toEqual({ Accept: 'application/json' });
  });

  it('Yahoo and AOL offer no device flow', () => {
    expect(getBuiltInPreset('yahoo')?.flows).toEqual(['code']);
    expect(getBuiltInPreset('aol')?.flows).toEqual(['code']);
  });
});
