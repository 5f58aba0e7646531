import { definePreset } from '../define-preset.js';

/**
 * Yahoo Mail. Yahoo's OAuth 2.0 server supports the authorization code flow only (no device
 * flow, no RFC 7009 revocation endpoint) and wants the client secret at the token endpoint: its
 * guide documents no PKCE-only public client, so the secret stays required. The `mail-w` scope
 * (read and write) is what IMAP, POP and SMTP take, and Yahoo grants it only after it has
 * approved the app ("Request Developer Access to Yahoo Mail"); ticking a box when the app is
 * created is not enough. Yahoo compares the redirect URL with the registered one exactly and
 * wants a secure (`https:`) URL, so the preset fixes `https://127.0.0.1:18471/callback`.
 *
 * @see https://developer.yahoo.com/oauth2/guide/flows_authcode/ (endpoints, client secret, redirect_uri)
 * @see https://senders.yahooinc.com/developer/documentation (IMAP/SMTP with OAuth 2.0: the mail scope needs Yahoo's approval; AOL needs its own client credentials)
 * @see https://docs.allauth.org/en/latest/socialaccount/providers/yahoo.html (Yahoo's redirect URL must be secure)
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
  description: 'Yahoo Mail over IMAP, POP and SMTP, with a client Yahoo has approved for the mail scope.',
  documentationUrl: 'https://developer.yahoo.com/oauth2/guide/',
  authorizationUrl: 'https://api.login.yahoo.com/oauth2/request_auth',
  tokenUrl: 'https://api.login.yahoo.com/oauth2/get_token',
  scopes: { default: ['mail-w'], imap: ['mail-w'], smtp: ['mail-w'], pop3: ['mail-w'], all: ['mail-w'] },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  redirectUrl: 'https://127.0.0.1:18471/callback',
  exactRedirect: true,
  warnings: [
    'Yahoo grants the mail-w scope only to apps it has approved: request developer access to Yahoo Mail (senders.yahooinc.com/developer) before you authorize, or sign-in ends with an error.',
    'Register exactly https://127.0.0.1:18471/callback as the redirect URL: Yahoo compares it character for character, port included.',
  ],
  emailDomains: [
    'yahoo.com',
    'ymail.com',
    'rocketmail.com',
    // Yahoo Mail's regional domains; yahoo.co.jp is Yahoo Japan, another company and service.
    'yahoo.co.uk',
    'yahoo.fr',
    'yahoo.de',
    'yahoo.es',
    'yahoo.it',
    'yahoo.ca',
    'yahoo.com.au',
    'yahoo.co.in',
    'yahoo.com.br',
  ],
  mail: {
    imap: { host: 'imap.mail.yahoo.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.mail.yahoo.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
