import { definePreset } from '../define-preset.js';

/**
 * Yahoo Mail. Yahoo's OAuth 2.0 server supports the authorization code flow only (no device
 * flow, no RFC 7009 revocation endpoint) and wants the client secret at the token endpoint. The
 * `mail-w` scope (read and write) is what IMAP, POP and SMTP take; it is granted to the app when
 * it is registered with the Mail API permission.
 *
 * @see https://developer.yahoo.com/oauth2/guide/flows_authcode/ (endpoints, client secret)
 * @see https://developer.yahoo.com/oauth2/guide/ (supported flows)
 * @see https://github.com/thunderbird/thunderbird-desktop/blob/main/mailnews/base/src/OAuth2Providers.sys.mjs (mail-w scope, mail hosts, as Thunderbird uses them)
 * @example
 * ```ts
 * import { resolvePreset, yahoo } from '@oauth-authorizer/presets';
 * const { provider, mail } = resolvePreset(yahoo, { clientId, clientSecret });
 * ```
 */
export const yahoo = definePreset({
  id: 'yahoo',
  name: 'Yahoo Mail',
  description: 'Yahoo Mail over IMAP, POP and SMTP.',
  documentationUrl: 'https://developer.yahoo.com/oauth2/guide/',
  authorizationUrl: 'https://api.login.yahoo.com/oauth2/request_auth',
  tokenUrl: 'https://api.login.yahoo.com/oauth2/get_token',
  scopes: { default: ['mail-w'], imap: ['mail-w'], smtp: ['mail-w'], pop3: ['mail-w'], all: ['mail-w'] },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  emailDomains: ['yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de'],
  mail: {
    imap: { host: 'imap.mail.yahoo.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.mail.yahoo.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
