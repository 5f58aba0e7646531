import { definePreset } from '../define-preset.js';

/**
 * AOL Mail, which runs on the same OAuth 2.0 service as Yahoo (`api.login.aol.com`): the
 * authorization code flow only, the client secret at the token endpoint, and the `mail-w` scope
 * for IMAP, POP and SMTP.
 *
 * @see https://developer.yahoo.com/oauth2/guide/flows_authcode/ (the shared OAuth 2.0 service: flow and endpoints)
 * @see https://github.com/thunderbird/thunderbird-desktop/blob/main/mailnews/base/src/OAuth2Providers.sys.mjs (AOL endpoints, mail-w scope and mail hosts, as Thunderbird uses them)
 * @example
 * ```ts
 * import { aol, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider } = resolvePreset(aol, { clientId, clientSecret });
 * ```
 */
export const aol = definePreset({
  id: 'aol',
  name: 'AOL Mail',
  description: 'AOL Mail over IMAP, POP and SMTP.',
  documentationUrl: 'https://developer.yahoo.com/oauth2/guide/',
  authorizationUrl: 'https://api.login.aol.com/oauth2/request_auth',
  tokenUrl: 'https://api.login.aol.com/oauth2/get_token',
  scopes: { default: ['mail-w'], imap: ['mail-w'], smtp: ['mail-w'], pop3: ['mail-w'], all: ['mail-w'] },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  emailDomains: ['aol.com', 'aim.com'],
  mail: {
    imap: { host: 'imap.aol.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.aol.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.aol.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
