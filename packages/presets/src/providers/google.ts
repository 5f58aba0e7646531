import { definePreset } from '../define-preset.js';

const GMAIL = 'https://mail.google.com/';

/**
 * Google (Gmail and Google Workspace mail). One scope, `https://mail.google.com/`, covers IMAP,
 * POP and SMTP. `access_type=offline` and `prompt=consent` make Google issue a refresh token on
 * every authorization. Google refuses the Gmail scope in the device flow (its "TVs and limited
 * input devices" clients accept a short list of scopes only), so the preset rejects that
 * combination before asking. Desktop clients get a client secret that Google requires at the
 * token endpoint although it is not secret.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/native-app (endpoints, loopback redirect, client secret)
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#offline (access_type=offline, prompt=consent)
 * @see https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes (device flow endpoint and its allowed scopes)
 * @see https://developers.google.com/identity/protocols/oauth2#expiration (7-day refresh tokens in "Testing")
 * @see https://developers.google.com/workspace/gmail/imap/xoauth2-protocol (scope, XOAUTH2)
 * @see https://developers.google.com/workspace/gmail/imap/imap-smtp (mail servers and ports)
 * @example
 * ```ts
 * import { google, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider, redirectUrl } = resolvePreset(google, { clientId, clientSecret });
 * ```
 */
export const google = definePreset({
  id: 'google',
  name: 'Google (Gmail)',
  description: 'Gmail and Google Workspace mail over IMAP, POP and SMTP.',
  documentationUrl: 'https://developers.google.com/identity/protocols/oauth2/native-app',
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  deviceAuthorizationUrl: 'https://oauth2.googleapis.com/device/code',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revocationUrl: 'https://oauth2.googleapis.com/revoke',
  scopes: { default: [GMAIL], imap: [GMAIL], smtp: [GMAIL], pop3: [GMAIL], all: [GMAIL] },
  flows: ['code', 'device'],
  preferredFlow: 'code',
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  redirectUrl: 'http://127.0.0.1/callback',
  warnings: [
    'Google apps whose OAuth consent screen is in "Testing" get refresh tokens that expire after 7 days; publish the app ("In production") to keep yours.',
  ],
  hooks: {
    validateRequest: ({ flow, scopes }) =>
      flow === 'device' && scopes.includes(GMAIL)
        ? `Google does not allow the Gmail scope (${GMAIL}) in the device flow; use the code flow`
        : undefined,
  },
  emailDomains: ['gmail.com', 'googlemail.com'],
  mail: {
    imap: { host: 'imap.gmail.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.gmail.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.gmail.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
