import { definePreset } from '../define-preset.js';

/**
 * AOL Mail, which runs on the same OAuth 2.0 service as Yahoo (`api.login.aol.com`): the
 * authorization code flow only, the client secret at the token endpoint, and the `mail-w` scope
 * for IMAP, POP and SMTP. A Yahoo client does not work for AOL accounts: AOL needs a client of
 * its own, and the mail scope needs the same approval as Yahoo's. The redirect URL is compared
 * exactly, as Yahoo's is, and must be secure: the preset fixes `https://127.0.0.1:18472/callback`.
 *
 * @see https://senders.yahooinc.com/developer/documentation (one identity service for Yahoo and AOL, a separate client per namespace, mail scope approval)
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
  description:
    'AOL Mail over IMAP, POP and SMTP, with an AOL client of its own (a Yahoo client does not work) approved for the mail scope.',
  documentationUrl: 'https://developer.yahoo.com/oauth2/guide/',
  authorizationUrl: 'https://api.login.aol.com/oauth2/request_auth',
  tokenUrl: 'https://api.login.aol.com/oauth2/get_token',
  scopes: { default: ['mail-w'], imap: ['mail-w'], smtp: ['mail-w'], pop3: ['mail-w'], all: ['mail-w'] },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  redirectUrl: 'https://127.0.0.1:18472/callback',
  exactRedirect: true,
  warnings: [
    'AOL accounts need an AOL client of their own (a Yahoo client is refused), and the mail-w scope only after Yahoo has approved the app: request developer access at senders.yahooinc.com/developer.',
    'Register exactly https://127.0.0.1:18472/callback as the redirect URL: the provider compares it character for character, port included.',
  ],
  emailDomains: ['aol.com', 'aim.com'],
  mail: {
    imap: { host: 'imap.aol.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.aol.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.aol.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
