import { definePreset } from '../define-preset.js';

/**
 * Mail.ru (VK). Mail.ru's OAuth 2.0 server has the authorization code flow with PKCE; the
 * `mail.imap` scope lets IMAP take the token through XOAUTH2 and may only be asked for together
 * with `userinfo`. Mail.ru documents OAuth for IMAP only, so the preset has no SMTP or POP server.
 * The redirect URL must match the registered one exactly, scheme and trailing slash included: the
 * preset fixes `http://127.0.0.1:18475/callback`. The secret is kept required, since the
 * documentation shows every token request with one.
 *
 * @see https://help.mail.ru/developers/oauth/about (https://oauth.mail.ru/login and the code exchange)
 * @see https://id.vk.com/about/business/go/docs/ru/vkid/latest/oauth/oauth-mail/index (scopes userinfo and mail.imap, XOAUTH2, PKCE, exact redirect_uri)
 * @see https://help.mail.ru/mail/mailer/popsmtp (imap.mail.ru, port 993, SSL/TLS)
 * @example
 * ```ts
 * import { mailru, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider, mail } = resolvePreset(mailru, { clientId, clientSecret });
 * ```
 */
export const mailru = definePreset({
  id: 'mailru',
  name: 'Mail.ru',
  description: 'Mail.ru mailboxes over IMAP.',
  documentationUrl: 'https://help.mail.ru/developers/oauth/about',
  authorizationUrl: 'https://oauth.mail.ru/login',
  tokenUrl: 'https://oauth.mail.ru/token',
  scopes: {
    default: ['userinfo', 'mail.imap'],
    imap: ['userinfo', 'mail.imap'],
    all: ['userinfo', 'mail.imap'],
  },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  redirectUrl: 'http://127.0.0.1:18475/callback',
  exactRedirect: true,
  warnings: [
    'Register exactly http://127.0.0.1:18475/callback as the redirect URL of the Mail.ru app: it is compared character for character.',
  ],
  emailDomains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'internet.ru'],
  mail: {
    imap: { host: 'imap.mail.ru', port: 993, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
