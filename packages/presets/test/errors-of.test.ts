/**
 * `errorsOf`: a preset says whose documented errors explain its own, so a preset file for the
 * same service under another id (Microsoft's national clouds, a copy on loopback) gets the
 * provider's explanations instead of the common ones only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuthResponseError } from '@oauth-authorizer/core';
import {
  definePreset,
  explainProviderError,
  loadPreset,
  PRESET_INVALID,
  PresetError,
  providerErrorTableOf,
} from '@oauth-authorizer/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetRejection } from './preset-rejection.js';

/**
 * Microsoft's US Government cloud: the same identity platform on its own host.
 * @see https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 */
const usGovernment = {
  id: 'microsoft-us-gov',
  name: 'Microsoft 365 (US Government)',
  authorizationUrl: 'https://login.microsoftonline.us/{tenant}/oauth2/v2.0/authorize',
  tokenUrl: 'https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token',
  parameters: { tenant: { description: 'The tenant', default: 'organizations' } },
  flows: ['code'],
} as const;

const inactive = () =>
  new OAuthResponseError(
    {
      error: 'invalid_grant',
      error_description: 'AADSTS700082: The refresh token has expired due to inactivity.',
    },
    400,
  );

const rejection = presetRejection;

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-errors-of-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('errorsOf', () => {
  it("a preset with errorsOf: microsoft gets Microsoft's explanations under its own id", () => {
    const preset = definePreset({ ...usGovernment, errorsOf: 'microsoft' });
    expect(preset.errorsOf).toBe('microsoft');
    expect(definePreset(preset)).toEqual(preset);
    expect(providerErrorTableOf(preset)).toBe('microsoft');
    expect(explainProviderError(preset, inactive())?.code).toBe('AADSTS700082');
  });

  it('without errorsOf the own id decides: another id gets the common explanations only', () => {
    const preset = definePreset(usGovernment);
    expect(preset).not.toHaveProperty('errorsOf');
    expect(providerErrorTableOf(preset)).toBeUndefined();
    expect(explainProviderError(preset, inactive())?.code).toBe('invalid_grant');
    expect(explainProviderError(preset, inactive(), { includeCommon: false })).toBeUndefined();
    expect(providerErrorTableOf('aol')).toBe('aol');
    expect(providerErrorTableOf({ id: 'google', errorsOf: undefined })).toBe('google');
  });

  it.each([
    ['an id without a table', 'custom'],
    ['an unknown id', 'acme'],
    ['a wrong case', 'Microsoft'],
    ['not a string', 42],
  ])('refuses %s, naming the field and the providers it may name', (_what, errorsOf) => {
    const error = rejection(() => definePreset({ ...usGovernment, errorsOf } as never));
    expect(error.code).toBe(PRESET_INVALID);
    expect(error.fields).toEqual(['errorsOf']);
    expect(error.message).toContain('"errorsOf" must name a provider whose errors are explained');
    expect(error.message).toContain('"microsoft"');
  });

  it('a JSON preset file sets it too', async () => {
    const file = join(directory, 'us-gov.json');
    await writeFile(file, JSON.stringify({ ...usGovernment, errorsOf: 'microsoft' }));
    const preset = await loadPreset(file);
    expect(explainProviderError(preset, inactive())?.code).toBe('AADSTS700082');
    await writeFile(file, JSON.stringify({ ...usGovernment, errorsOf: 'microsoft-us-gov' }));
    const error = await loadPreset(file).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(PresetError);
    expect((error as PresetError).fields).toEqual(['errorsOf']);
  });

  it('explainProviderError() takes a preset id or a preset, nothing else', () => {
    expect(() => explainProviderError(42 as never, inactive())).toThrow(TypeError);
    expect(() => explainProviderError({} as never, inactive())).toThrow(TypeError);
  });
});
