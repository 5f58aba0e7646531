import { definePreset } from '../define-preset.js';

/**
 * Yandex Mail. Yandex's IMAP and SMTP servers take OAuth tokens through XOAUTH2; POP does not.
 * The scopes (`mail:imap_full`, `mail:smtp`) are chosen when the app is registered and may be
 * narrowed per request. Yandex documents a device-code variant whose requests differ from
 * RFC 8628, so this preset offers the code flow only. The redirect URL must be one registered as
 * the app's Redirect URI, so the preset fixes one with a port: `http://127.0.0.1:18474/callback`.
 *
 * @see https://yandex.com/dev/id/doc/en/register-client (Redirect URI: the registered redirect_uri values)
 * @see https://yandex.ru/support/mail-business/web/security/oauth.html (XOAUTH2 for IMAP and SMTP, mail:imap_full, mail:smtp)
 * @see https://yandex.com/dev/id/doc/en/codes/code-url (authorization and token endpoints, PKCE)
 * @see https://yandex.com/dev/id/doc/en/codes/screen-code-oauth (the non-standard device-code variant)
 * @see https://github.com/thunderbird/thunderbird-desktop/blob/main/mailnews/base/src/OAuth2Providers.sys.mjs (mail hosts and scopes, as Thunderbird uses them)
 * @example
 * ```ts
 * import { resolvePreset, yandex } from '@oauth-authorizer/presets';
 * const { provider } = resolvePreset(yandex, { clientId, clientSecret, scopeSet: 'imap' });
 * ```
 */
export const yandex = definePreset({
  id: 'yandex',
  name: 'Yandex Mail',
  description: 'Yandex Mail over IMAP and SMTP.',
  documentationUrl: 'https://yandex.ru/support/mail-business/web/security/oauth.html',
  authorizationUrl: 'https://oauth.yandex.com/authorize',
  tokenUrl: 'https://oauth.yandex.com/token',
  scopes: {
    default: ['mail:imap_full', 'mail:smtp'],
    imap: ['mail:imap_full'],
    smtp: ['mail:smtp'],
    all: ['mail:imap_full', 'mail:smtp'],
  },
  flows: ['code'],
  clientAuth: 'client_secret_post',
  redirectUrl: 'http://127.0.0.1:18474/callback',
  exactRedirect: true,
  warnings: [
    'Register exactly http://127.0.0.1:18474/callback as a Redirect URI of the app (Web services platform).',
    'Yandex Mail answers IMAP only when access by mail clients is switched on in its settings (Mail clients).',
  ],
  emailDomains: ['yandex.ru', 'yandex.com', 'yandex.by', 'yandex.kz', 'yandex.ua', 'ya.ru'],
  mail: {
    imap: { host: 'imap.yandex.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.yandex.com', port: 465, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
