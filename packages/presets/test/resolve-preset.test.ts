import {
  custom,
  DEFAULT_REDIRECT_URL,
  definePreset,
  fixedFieldsOf,
  github,
  google,
  microsoft,
  PRESET_FIXED_FIELD,
  PRESET_INVALID_INPUT,
  PRESET_MISSING_FIELDS,
  PRESET_REQUEST_REJECTED,
  PRESET_UNSUPPORTED_FLOW,
  type Preset,
  type PresetError,
  type PresetInput,
  resolvePreset,
  zoho,
} from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';
import { presetRejection } from './preset-rejection.js';

function rejection(preset: Preset, input: PresetInput): PresetError {
  return presetRejection(
    () => resolvePreset(preset, input),
    'resolvePreset() accepted what it should refuse',
  );
}

const acme = definePreset({
  id: 'acme',
  name: 'Acme Mail',
  authorizationUrl: 'https://id.acme.example/authorize',
  deviceAuthorizationUrl: 'https://id.acme.example/device',
  tokenUrl: 'https://id.acme.example/token',
  scopes: { default: ['mail', 'offline_access'], imap: ['imap'], app: ['mail.all'] },
  flows: ['code', 'device', 'client_credentials'],
  flowScopes: { client_credentials: 'app' },
  authorizationParams: { prompt: 'consent' },
  tokenHeaders: { Accept: 'application/json' },
  clientAuth: 'client_secret_basic',
  warnings: [
    'Always shown.',
    { message: 'Device only.', flows: ['device'] },
    { message: 'IMAP only.', scopes: ['imap'] },
  ],
  mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' } },
});

describe('resolvePreset() with fixed fields', () => {
  it('resolvePreset() refuses a different value for a field the preset fixes, naming the preset and the field', () => {
    const error = rejection(google, {
      clientId: 'app',
      clientSecret: 's',
      tokenUrl: 'https://evil.example/token',
    });
    expect(error.code).toBe(PRESET_FIXED_FIELD);
    expect(error.fields).toEqual(['tokenUrl']);
    expect(error.presetId).toBe('google');
    expect(error.message).toContain('preset "google" fixes "tokenUrl"');
  });

  it('resolvePreset() names every conflicting fixed field at once', () => {
    const error = rejection(acme, {
      clientId: 'app',
      authorizationUrl: 'https://other.example/authorize',
      clientAuth: 'client_secret_post',
      authorizationParams: { prompt: 'login' },
      tokenHeaders: { accept: 'text/plain' },
    });
    expect(error.code).toBe(PRESET_FIXED_FIELD);
    expect(error.fields).toEqual([
      'authorizationUrl',
      'clientAuth',
      'authorizationParams.prompt',
      'tokenHeaders.Accept',
    ]);
  });

  it('resolvePreset() accepts a fixed field given again with the same value', () => {
    const resolved = resolvePreset(acme, {
      clientId: 'app',
      tokenUrl: 'https://id.acme.example/token',
      clientAuth: 'client_secret_basic',
      authorizationParams: { prompt: 'consent', login_hint: 'me@acme.example' },
      tokenHeaders: { 'X-Extra': '1' },
    });
    expect(resolved.provider.authorizationParams).toEqual({
      prompt: 'consent',
      login_hint: 'me@acme.example',
    });
    expect(resolved.provider.tokenHeaders).toEqual({ Accept: 'application/json', 'X-Extra': '1' });
  });

  it('resolvePreset() compares a fixed URL after its placeholders are filled', () => {
    const input = { clientId: 'app', parameters: { tenant: 'contoso.com' } };
    expect(() =>
      resolvePreset(microsoft, {
        ...input,
        tokenUrl: 'https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token',
      }),
    ).not.toThrow();
    expect(
      rejection(microsoft, {
        ...input,
        tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      }).code,
    ).toBe(PRESET_FIXED_FIELD);
  });

  it('resolvePreset() lets the custom preset take every field, since it fixes nothing', () => {
    expect(fixedFieldsOf(custom)).toEqual([]);
    const resolved = resolvePreset(custom, {
      clientId: 'app',
      clientSecret: 'secret',
      clientAuth: 'client_secret_post',
      issuer: 'https://id.example.com',
      tokenUrl: 'https://id.example.com/token',
      authorizationParams: { prompt: 'login' },
      scopes: ['openid'],
    });
    expect(resolved.provider).toMatchObject({
      issuer: 'https://id.example.com',
      tokenUrl: 'https://id.example.com/token',
      clientAuth: 'client_secret_post',
      scopes: ['openid'],
    });
  });

  it('fixedFieldsOf() lists endpoints, client settings, authorization parameters and token headers', () => {
    expect(fixedFieldsOf(github)).toEqual([
      'authorizationUrl',
      'deviceAuthorizationUrl',
      'tokenUrl',
      'clientAuth',
      'tokenHeaders.Accept',
    ]);
  });
});

describe('resolvePreset() with placeholders', () => {
  it('resolvePreset() fills the Microsoft tenant into every endpoint, "common" by default', () => {
    const common = resolvePreset(microsoft, { clientId: 'app' });
    expect(common.provider.authorizationUrl).toBe(
      'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    );
    expect(common.parameters).toEqual({ tenant: 'common' });
    const tenant = '9188040d-6c67-4c5b-b112-36a304b66dad';
    const own = resolvePreset(microsoft, { clientId: 'app', flow: 'device', parameters: { tenant } });
    expect(own.provider.deviceAuthorizationUrl).toBe(
      `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/devicecode`,
    );
    expect(own.provider.tokenUrl).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
  });

  it('resolvePreset() refuses a tenant that does not match its pattern instead of putting it into a URL', () => {
    const error = rejection(microsoft, { clientId: 'app', parameters: { tenant: 'evil.example/x?' } });
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.fields).toEqual(['parameters.tenant']);
  });

  it('resolvePreset() percent-encodes a free-form parameter so it cannot change the host or path', () => {
    const open = definePreset({
      id: 'open',
      name: 'Open',
      tokenUrl: 'https://id.example.com/{realm}/token',
      authorizationUrl: 'https://id.example.com/{realm}/authorize',
      flows: ['code'],
      parameters: { realm: { description: 'Realm' } },
    });
    const resolved = resolvePreset(open, { clientId: 'app', parameters: { realm: 'a/../b?x=1' } });
    expect(resolved.provider.tokenUrl).toBe('https://id.example.com/a%2F..%2Fb%3Fx%3D1/token');
    expect(new URL(resolved.provider.tokenUrl as string).host).toBe('id.example.com');
  });

  it('resolvePreset() maps a Zoho data centre to its accounts and mail servers', () => {
    const resolved = resolvePreset(zoho, {
      clientId: 'app',
      clientSecret: 'secret',
      parameters: { dataCenter: 'eu', accountType: 'organization' },
    });
    expect(resolved.provider.authorizationUrl).toBe('https://accounts.zoho.eu/oauth/v2/auth');
    expect(resolved.provider.tokenUrl).toBe('https://accounts.zoho.eu/oauth/v2/token');
    expect(resolved.mail?.imap).toEqual({ host: 'imappro.zoho.eu', port: 993, tls: 'implicit' });
    expect(resolved.mail?.pop3?.host).toBe('poppro.zoho.eu');
    expect(resolvePreset(zoho, { clientId: 'app', clientSecret: 's' }).mail?.imap?.host).toBe(
      'imap.zoho.com',
    );
  });

  it('resolvePreset() refuses a data centre that is not one of the choices, listing them', () => {
    const error = rejection(zoho, { clientId: 'app', clientSecret: 's', parameters: { dataCenter: 'mars' } });
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.message).toContain('"us", "eu"');
  });

  it('resolvePreset() refuses a parameter the preset does not have', () => {
    const error = rejection(google, { clientId: 'app', clientSecret: 's', parameters: { tenant: 'x' } });
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.fields).toEqual(['parameters.tenant']);
  });
});

describe('resolvePreset() with missing fields', () => {
  it('resolvePreset() reports every missing field of the custom preset together', () => {
    const error = rejection(custom, {});
    expect(error.code).toBe(PRESET_MISSING_FIELDS);
    expect(error.fields).toEqual(['clientId', 'tokenUrl', 'authorizationUrl']);
    expect(error.message).toContain('"clientId", "tokenUrl" and "authorizationUrl"');
  });

  it('resolvePreset() asks for the device endpoint in the device flow and the secret for app-only access', () => {
    expect(rejection(custom, { clientId: 'app', flow: 'device' }).fields).toEqual([
      'tokenUrl',
      'deviceAuthorizationUrl',
    ]);
    expect(
      rejection(custom, { clientId: 'app', flow: 'client_credentials', tokenUrl: 'https://id.example.com/t' })
        .fields,
    ).toEqual(['clientSecret']);
  });

  it('resolvePreset() takes an issuer instead of the endpoints, to be discovered later', () => {
    const resolved = resolvePreset(custom, {
      clientId: 'app',
      issuer: 'https://id.example.com',
      flow: 'device',
    });
    expect(resolved.provider).toEqual({
      issuer: 'https://id.example.com',
      clientId: 'app',
      clientAuth: 'none',
      scopes: [],
    });
  });

  it('resolvePreset() reports a required parameter without default together with the client ID', () => {
    const regional = definePreset({
      id: 'regional',
      name: 'Regional',
      tokenUrl: 'https://{region}.id.example.com/token',
      authorizationUrl: 'https://{region}.id.example.com/authorize',
      flows: ['code'],
      parameters: { region: { description: 'Region', choices: ['eu', 'us'] } },
    });
    expect(rejection(regional, {}).fields).toEqual(['parameters.region', 'clientId']);
  });

  it('resolvePreset() asks for the secret where the provider insists on one', () => {
    const error = rejection(google, { clientId: 'app' });
    expect(error.code).toBe(PRESET_MISSING_FIELDS);
    expect(error.fields).toEqual(['clientSecret']);
  });
});

describe('resolvePreset() choices', () => {
  it('resolvePreset() uses the preferred flow, the default scope set and the default redirect URL', () => {
    const resolved = resolvePreset(acme, { clientId: 'app', clientSecret: 'secret' });
    expect(resolved.flow).toBe('code');
    expect(resolved.scopes).toEqual(['mail', 'offline_access']);
    expect(resolved.provider.scopes).toEqual(['mail', 'offline_access']);
    expect(resolved.redirectUrl).toBe(DEFAULT_REDIRECT_URL);
    expect(resolved.provider.clientAuth).toBe('client_secret_basic');
  });

  it("resolvePreset() uses a flow's own scope set, a named set, or the user's scopes", () => {
    const input = { clientId: 'app', clientSecret: 'secret' };
    expect(resolvePreset(acme, { ...input, flow: 'client_credentials' }).scopes).toEqual(['mail.all']);
    expect(resolvePreset(acme, { ...input, scopeSet: 'imap' }).scopes).toEqual(['imap']);
    expect(resolvePreset(acme, { ...input, scopes: ['a', 'b', 'a'] }).scopes).toEqual(['a', 'b']);
  });

  it('resolvePreset() refuses an unknown scope set, a malformed scope, or scopes and a set together', () => {
    const input = { clientId: 'app' };
    expect(rejection(acme, { ...input, scopeSet: 'pop3' }).message).toContain('"default", "imap" and "app"');
    expect(rejection(acme, { ...input, scopes: ['two words'] }).fields).toEqual(['scopes']);
    expect(rejection(acme, { ...input, scopes: ['a'], scopeSet: 'imap' }).fields).toEqual(['scopeSet']);
  });

  it('resolvePreset() refuses a flow the preset does not support, listing the ones it does', () => {
    const error = rejection(google, { clientId: 'app', clientSecret: 's', flow: 'client_credentials' });
    expect(error.code).toBe(PRESET_UNSUPPORTED_FLOW);
    expect(error.message).toContain('"code" and "device"');
  });

  it('resolvePreset() makes the client public when no secret is given, whatever the preset would send a secret with', () => {
    const resolved = resolvePreset(acme, { clientId: 'app', flow: 'device' });
    expect(resolved.provider.clientAuth).toBe('none');
    expect(resolved.provider.clientSecret).toBeUndefined();
    expect(resolved.redirectUrl).toBeUndefined();
  });

  it('resolvePreset() refuses a secret for a client the preset declares public', () => {
    const publicClient = definePreset({
      ...acme,
      clientAuth: 'none',
      flows: ['code', 'device'],
      flowScopes: {},
    });
    expect(rejection(publicClient, { clientId: 'app', clientSecret: 'secret' }).fields).toEqual([
      'clientSecret',
    ]);
  });

  it('resolvePreset() refuses insecure endpoints and redirect URLs from the user', () => {
    const error = rejection(custom, {
      clientId: 'app',
      tokenUrl: 'http://id.example.com/token',
      authorizationUrl: 'https://id.example.com/authorize',
      redirectUrl: 'http://example.com/callback',
    });
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.fields).toEqual(['tokenUrl', 'redirectUrl']);
  });

  it('resolvePreset() allows plain http to a remote host only with the deliberately named override', () => {
    const resolved = resolvePreset(custom, {
      clientId: 'app',
      flow: 'device',
      tokenUrl: 'http://id.example.com/token',
      deviceAuthorizationUrl: 'http://id.example.com/device',
      http: { dangerouslyAllowInsecureHttp: true },
    });
    expect(resolved.provider.tokenUrl).toBe('http://id.example.com/token');
    expect(resolved.provider.http).toEqual({ dangerouslyAllowInsecureHttp: true });
  });

  it('resolvePreset() shows the warnings that apply to the flow and the scopes', () => {
    expect(resolvePreset(acme, { clientId: 'app' }).warnings).toEqual(['Always shown.']);
    expect(resolvePreset(acme, { clientId: 'app', flow: 'device' }).warnings).toEqual([
      'Always shown.',
      'Device only.',
    ]);
    expect(resolvePreset(acme, { clientId: 'app', scopeSet: 'imap' }).warnings).toEqual([
      'Always shown.',
      'IMAP only.',
    ]);
  });

  it('resolvePreset() returns the mail servers and SASL mechanism', () => {
    expect(resolvePreset(microsoft, { clientId: 'app' }).mail).toEqual({
      imap: { host: 'outlook.office365.com', port: 993, tls: 'implicit' },
      pop3: { host: 'outlook.office365.com', port: 995, tls: 'implicit' },
      smtp: { host: 'smtp.office365.com', port: 587, tls: 'starttls' },
      sasl: 'XOAUTH2',
    });
  });

  it('resolvePreset() treats undefined options as not given', () => {
    const resolved = resolvePreset(microsoft, {
      clientId: 'app',
      clientSecret: undefined,
      tokenUrl: undefined,
      flow: undefined,
      parameters: { tenant: undefined },
    });
    expect(resolved.parameters.tenant).toBe('common');
  });
});

describe('resolvePreset() with hooks', () => {
  it("resolvePreset() refuses Google's Gmail scope in the device flow before asking Google", () => {
    const error = rejection(google, { clientId: 'app', clientSecret: 's', flow: 'device' });
    expect(error.code).toBe(PRESET_REQUEST_REJECTED);
    expect(error.message).toContain('preset "google" refuses this request');
    expect(error.message).toContain('use the code flow');
    expect(
      resolvePreset(google, {
        clientId: 'app',
        clientSecret: 's',
        flow: 'device',
        scopes: ['openid', 'email'],
      }).flow,
    ).toBe('device');
  });

  it('resolvePreset() refuses Microsoft app-only access for a shared tenant', () => {
    const input = { clientId: 'app', clientSecret: 's', flow: 'client_credentials' as const };
    expect(rejection(microsoft, input).code).toBe(PRESET_REQUEST_REJECTED);
    const resolved = resolvePreset(microsoft, {
      ...input,
      parameters: { tenant: 'contoso.onmicrosoft.com' },
    });
    expect(resolved.scopes).toEqual(['https://outlook.office365.com/.default']);
    expect(resolved.warnings[0]).toContain('service principal');
  });

  it('resolvePreset() passes the request to the hook and turns a throwing hook into a rejection', () => {
    const seen: unknown[] = [];
    const strict = definePreset({
      ...acme,
      hooks: {
        validateRequest: (request) => {
          seen.push(request);
          throw new Error('no tokens on Sundays');
        },
      },
    });
    const error = rejection(strict, { clientId: 'app', clientSecret: 's', flow: 'device' });
    expect(error.code).toBe(PRESET_REQUEST_REJECTED);
    expect(error.message).toContain('no tokens on Sundays');
    expect(seen).toEqual([
      {
        presetId: 'acme',
        flow: 'device',
        scopes: ['mail', 'offline_access'],
        parameters: {},
        hasClientSecret: true,
      },
    ]);
  });

  it('resolvePreset() never shows the client secret in an error', () => {
    const error = rejection(acme, {
      clientId: 'app',
      clientSecret: 'hush-0123456789',
      tokenUrl: 'https://x.example/t',
    });
    expect(error.message).not.toContain('hush-0123456789');
    const other = rejection(custom, {
      clientId: 'app',
      clientSecret: 'hush-0123456789',
      clientAuth: 'none',
      tokenUrl: 'https://x.example/t',
    });
    expect(other.message).not.toContain('hush-0123456789');
  });
});
