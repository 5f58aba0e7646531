import { definePreset } from '@oauth-authorizer/presets';

const MAIL = 'https://mail.acme.example/mail';

/**
 * Acme Mail, for OAuth Authorizer: Acme's identity service (one per region) and its IMAP, SMTP
 * and POP servers. Replace everything here with your provider's values, and cite the pages you
 * took them from in `@see` lines: reviewers and users check presets against them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749 (Acme follows the authorization code grant)
 * @see https://www.rfc-editor.org/rfc/rfc8628 (and the device authorization grant)
 * @example
 * ```ts
 * import { resolvePreset } from '@oauth-authorizer/presets';
 * import { acme } from 'oauth-authorizer-preset-acme';
 *
 * const { provider, mail } = resolvePreset(acme, { clientId: 'my-app', parameters: { region: 'eu' } });
 * ```
 */
export const acme = definePreset({
  id: 'acme',
  name: 'Acme Mail',
  description: 'Acme Mail over IMAP, POP and SMTP, in the region that holds the account.',
  documentationUrl: 'https://developer.acme.example/oauth',
  authorizationUrl: 'https://id.{region}.acme.example/oauth2/authorize',
  deviceAuthorizationUrl: 'https://id.{region}.acme.example/oauth2/device',
  tokenUrl: 'https://id.{region}.acme.example/oauth2/token',
  revocationUrl: 'https://id.{region}.acme.example/oauth2/revoke',
  parameters: {
    region: {
      description: 'Where the Acme account lives: "us" or "eu"',
      default: 'us',
      choices: ['us', 'eu'],
    },
  },
  scopes: {
    default: [MAIL, 'offline_access'],
    imap: [MAIL, 'offline_access'],
    smtp: [MAIL, 'offline_access'],
    pop3: [MAIL, 'offline_access'],
    all: [MAIL, 'offline_access'],
  },
  flows: ['code', 'device'],
  preferredFlow: 'code',
  redirectUrl: 'http://127.0.0.1/callback',
  warnings: [
    { message: 'Acme issues no refresh token without "offline_access".', flows: ['code', 'device'] },
  ],
  hooks: {
    // A provider quirk as code: Acme's device flow cannot grant POP access, so say so before asking.
    validateRequest: ({ flow, scopes }) =>
      flow === 'device' && scopes.includes('pop')
        ? 'Acme does not grant "pop" in the device flow'
        : undefined,
  },
  emailDomains: ['acme.example', { domain: 'acme.eu.example', parameters: { region: 'eu' } }],
  mail: {
    imap: { host: 'imap.{region}.acme.example', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.{region}.acme.example', port: 587, tls: 'starttls' },
    pop3: { host: 'pop.{region}.acme.example', port: 995, tls: 'implicit' },
    sasl: 'OAUTHBEARER',
  },
});

export default acme;
