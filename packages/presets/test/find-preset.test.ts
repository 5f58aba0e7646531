import { definePreset, findPresetByEmail } from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';

describe('findPresetByEmail()', () => {
  it('findPresetByEmail() suggests the provider of a consumer mail address', () => {
    expect(findPresetByEmail('someone@gmail.com')?.preset.id).toBe('google');
    expect(findPresetByEmail('someone@yahoo.com')?.preset.id).toBe('yahoo');
    expect(findPresetByEmail('someone@aol.com')?.preset.id).toBe('aol');
    expect(findPresetByEmail('someone@fastmail.com')?.preset.id).toBe('fastmail');
    expect(findPresetByEmail('someone@yandex.ru')?.preset.id).toBe('yandex');
  });

  it('findPresetByEmail() gives the parameters a domain implies', () => {
    expect(findPresetByEmail('someone@outlook.com')).toMatchObject({
      preset: { id: 'microsoft' },
      domain: 'outlook.com',
      parameters: { tenant: 'consumers' },
    });
    expect(findPresetByEmail('someone@zohomail.eu')?.parameters).toEqual({ dataCenter: 'eu' });
    expect(findPresetByEmail('someone@gmail.com')?.parameters).toEqual({});
  });

  it('findPresetByEmail() takes a bare domain, in any case, with a trailing dot', () => {
    expect(findPresetByEmail('GoogleMail.com.')?.preset.id).toBe('google');
    expect(findPresetByEmail('Someone@HOTMAIL.com')?.preset.id).toBe('microsoft');
  });

  it('findPresetByEmail() suggests nothing for an unknown domain or an empty string', () => {
    expect(findPresetByEmail('someone@example.com')).toBeUndefined();
    expect(findPresetByEmail('someone@')).toBeUndefined();
    expect(findPresetByEmail('')).toBeUndefined();
  });

  it('findPresetByEmail() searches the presets it is given, such as loaded community presets', () => {
    const acme = definePreset({ id: 'acme', name: 'Acme', flows: ['code'], emailDomains: ['acme.example'] });
    expect(findPresetByEmail('me@acme.example', { presets: [acme] })?.preset).toBe(acme);
    expect(findPresetByEmail('me@gmail.com', { presets: [acme] })).toBeUndefined();
  });
});
