import {
  aol,
  definePreset,
  fastmail,
  fixedFieldsOf,
  mailru,
  microsoft,
  PRESET_INVALID,
  PRESET_INVALID_INPUT,
  type PresetDefinition,
  parametersFromRedirect,
  resolvePreset,
  yahoo,
  yandex,
  zoho,
} from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';
import { presetRejection } from './preset-rejection.js';

const client = { clientId: 'client', clientSecret: 'secret' };

const rejection = presetRejection;

const base: PresetDefinition = {
  id: 'acme',
  name: 'Acme',
  authorizationUrl: 'https://id.acme.example/authorize',
  tokenUrl: 'https://id.acme.example/token',
  flows: ['code'],
};

describe('exact redirect URLs (Yahoo, AOL, Zoho, Yandex, Mail.ru)', () => {
  it.each([
    [yahoo, 'https://127.0.0.1:18471/callback'],
    [aol, 'https://127.0.0.1:18472/callback'],
    [zoho, 'http://127.0.0.1:18473/callback'],
    [yandex, 'http://127.0.0.1:18474/callback'],
    [mailru, 'http://127.0.0.1:18475/callback'],
  ])(
    '%#: the preset fixes a redirect with an explicit port and asks to register exactly it',
    (preset, url) => {
      expect(preset.exactRedirect).toBe(true);
      expect(preset.redirectUrl).toBe(url);
      const resolved = resolvePreset(preset, client);
      expect(resolved.redirectUrl).toBe(url);
      expect(resolved.registerRedirectUrl).toBe(url);
      // The redirect stays a default, not a fixed field: a user may register another one.
      expect(fixedFieldsOf(preset)).not.toContain('redirectUrl');
    },
  );

  it('the exact-matching presets use distinct ports, so two can be authorized at once', () => {
    const ports = [yahoo, aol, zoho, yandex, mailru].map((preset) => new URL(preset.redirectUrl ?? '').port);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('a user redirect for an exact-matching provider is the one to register, and must name its port', () => {
    const own = resolvePreset(yandex, { ...client, redirectUrl: 'http://127.0.0.1:9000/yandex' });
    expect(own.registerRedirectUrl).toBe('http://127.0.0.1:9000/yandex');
    const error = rejection(() =>
      resolvePreset(yandex, { ...client, redirectUrl: 'http://127.0.0.1/callback' }),
    );
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.fields).toEqual(['redirectUrl']);
    expect(error.message).toContain('must name its port');
  });

  it('presets whose providers accept any loopback port have nothing to register exactly', () => {
    for (const preset of [microsoft, fastmail]) {
      expect(preset.exactRedirect).toBe(false);
      expect(resolvePreset(preset, client).registerRedirectUrl).toBeUndefined();
    }
  });

  it('definePreset() refuses "exactRedirect" without a redirect URL, or with one that has no port', () => {
    const none = rejection(() => definePreset({ ...base, exactRedirect: true }));
    expect(none.code).toBe(PRESET_INVALID);
    expect(none.fields).toEqual(['redirectUrl']);
    const portless = rejection(() =>
      definePreset({ ...base, exactRedirect: true, redirectUrl: 'http://127.0.0.1/callback' }),
    );
    expect(portless.message).toContain('must name its port');
    const notBoolean = rejection(() => definePreset({ ...base, exactRedirect: 'yes' as unknown as boolean }));
    expect(notBoolean.fields).toEqual(['exactRedirect']);
    expect(
      definePreset({ ...base, exactRedirect: true, redirectUrl: 'http://127.0.0.1:8123/cb' }).exactRedirect,
    ).toBe(true);
  });
});

describe('Yahoo and AOL', () => {
  it("say that the mail scope needs Yahoo's approval and that AOL needs its own client", () => {
    expect(yahoo.description).not.toMatch(/no approval|any app/i);
    expect(yahoo.warnings.map((warning) => warning.message).join(' ')).toMatch(/approv/);
    const aolText = [aol.description, ...aol.warnings.map((warning) => warning.message)].join(' ');
    expect(aolText).toMatch(/own client|client of (its|their) own/);
    expect(aolText).toMatch(/approv/);
  });

  it('keep the client secret required (Yahoo documents no PKCE-only client)', () => {
    expect(yahoo.clientSecretRequired).toEqual(['code']);
    expect(aol.clientSecretRequired).toEqual(['code']);
  });
});

describe('Zoho data centres', () => {
  it('Canada and the UK have their accounts servers and mail hosts', () => {
    const ca = resolvePreset(zoho, { ...client, parameters: { dataCenter: 'ca' } });
    expect(ca.provider.tokenUrl).toBe('https://accounts.zohocloud.ca/oauth/v2/token');
    expect(ca.mail?.imap?.host).toBe('imap.zohocloud.ca');
    const uk = resolvePreset(zoho, {
      ...client,
      parameters: { dataCenter: 'uk', accountType: 'organization' },
    });
    expect(uk.provider.authorizationUrl).toBe('https://accounts.zoho.uk/oauth/v2/auth');
    expect(uk.mail?.pop3?.host).toBe('poppro.zoho.uk');
  });

  it('parametersFromRedirect() takes the data centre from the location Zoho adds to the redirect', () => {
    const redirect =
      'http://127.0.0.1:18473/callback?code=1000.x&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu';
    expect(parametersFromRedirect(zoho, redirect)).toEqual({ dataCenter: 'eu' });
    const resolved = resolvePreset(zoho, { ...client, parameters: parametersFromRedirect(zoho, redirect) });
    expect(resolved.provider.tokenUrl).toBe('https://accounts.zoho.eu/oauth/v2/token');
    expect(parametersFromRedirect(zoho, new URLSearchParams('code=x'))).toEqual({});
    expect(parametersFromRedirect(yahoo, redirect)).toEqual({});
  });

  it('parametersFromRedirect() never follows accounts-server, and refuses a location that is no data centre', () => {
    const hostile = 'http://127.0.0.1:18473/callback?code=x&accounts-server=https%3A%2F%2Fevil.example';
    expect(parametersFromRedirect(zoho, hostile)).toEqual({});
    const error = rejection(() => parametersFromRedirect(zoho, `${hostile}&location=evil.example%2F`));
    expect(error.code).toBe(PRESET_INVALID_INPUT);
    expect(error.fields).toEqual(['parameters.dataCenter']);
  });

  it('definePreset() takes redirect parameters only when they name a parameter with choices', () => {
    const region = { description: 'The region', default: 'us', choices: ['us', 'eu'] };
    const free = { description: 'Free text', default: 'x' };
    const ok = definePreset({
      ...base,
      authorizationUrl: 'https://id.{region}.acme.example/authorize',
      parameters: { region },
      redirectParameters: { region: 'region' },
    });
    expect(ok.redirectParameters).toEqual({ region: 'region' });
    const error = rejection(() =>
      definePreset({ ...base, parameters: { free }, redirectParameters: { where: 'free', code: 'free' } }),
    );
    expect(error.fields).toEqual(['redirectParameters.code', 'redirectParameters.where']);
  });
});

describe('Microsoft', () => {
  const warningsFor = (input: Parameters<typeof resolvePreset>[1]) =>
    resolvePreset(microsoft, { clientId: 'client', ...input }).warnings.join('\n');

  it('warns about SMTP AUTH, admin consent and public client flows when they apply', () => {
    expect(warningsFor({ scopeSet: 'smtp' })).toContain('535 5.7.139');
    expect(warningsFor({ scopeSet: 'imap' })).toMatch(/AADSTS65001.*AADSTS90094/);
    expect(warningsFor({ scopeSet: 'smtp' })).not.toContain('AADSTS65001');
    expect(warningsFor({ flow: 'device', scopeSet: 'smtp' })).toContain('Allow public client flows');
    expect(warningsFor({ flow: 'code', scopeSet: 'smtp' })).not.toContain('Allow public client flows');
  });

  it('Outlook.com accounts send through smtp-mail.outlook.com, Microsoft 365 through smtp.office365.com', () => {
    const consumers = resolvePreset(microsoft, { clientId: 'c', parameters: { tenant: 'consumers' } });
    expect(consumers.mail?.smtp).toEqual({ host: 'smtp-mail.outlook.com', port: 587, tls: 'starttls' });
    expect(consumers.mail?.imap?.host).toBe('outlook.office365.com');
    const work = resolvePreset(microsoft, { clientId: 'c', parameters: { tenant: 'contoso.com' } });
    expect(work.mail?.smtp?.host).toBe('smtp.office365.com');
  });

  it('definePreset() checks mail overrides: known parameters, valid servers, only servers "mail" has', () => {
    const error = rejection(() =>
      definePreset({
        ...base,
        parameters: { region: { description: 'r', default: 'us', choices: ['us', 'eu'] } },
        mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' } },
        mailOverrides: [
          {
            parameters: { region: 'mars' },
            imap: { host: 'imap.eu.acme.example', port: 993, tls: 'implicit' },
          },
          { parameters: { region: 'eu' }, smtp: { host: 'smtp.eu.acme.example', port: 0, tls: 'starttls' } },
          { parameters: { region: 'eu' }, pop3: { host: 'pop.eu.acme.example', port: 995, tls: 'implicit' } },
        ],
      }),
    );
    expect(error.fields).toEqual([
      'mailOverrides.0.parameters.region',
      'mailOverrides.1.smtp.port',
      'mailOverrides.2.pop3',
    ]);
  });
});
