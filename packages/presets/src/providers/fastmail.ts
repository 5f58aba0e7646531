import { definePreset } from '../define-preset.js';

const IMAP = 'https://www.fastmail.com/dev/protocol-imap';
const SMTP = 'https://www.fastmail.com/dev/protocol-smtp';
const POP = 'https://www.fastmail.com/dev/protocol-pop';

/**
 * Fastmail. Its OAuth 2.0 server follows RFC 6749's authorization code flow with PKCE for public
 * clients; each protocol has its own scope. Fastmail registers clients by hand (there is no
 * self-service console), so a client ID comes from Fastmail. The token endpoint is
 * `/oauth/refresh`, for the first exchange as for refreshes. Fastmail's redirect rule allows
 * `http://localhost/…` for native apps, hence this preset's `http://localhost/callback`; it
 * documents no revocation endpoint, so the preset has none.
 *
 * @see https://www.fastmail.com/for-developers/oauth/ (flow, client registration; a redirect URI is registered in full and must start with an https domain of the developer, a private-use scheme, or http://localhost/)
 * @see https://www.fastmail.com/dev/ (OAuth works with IMAP, POP and SMTP)
 * @see https://github.com/thunderbird/thunderbird-desktop/blob/main/mailnews/base/src/OAuth2Providers.sys.mjs (endpoints, per-protocol scopes, mail hosts, as Thunderbird uses them)
 * @example
 * ```ts
 * import { fastmail, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider } = resolvePreset(fastmail, { clientId, scopeSet: 'imap' });
 * ```
 */
export const fastmail = definePreset({
  id: 'fastmail',
  name: 'Fastmail',
  description: 'Fastmail over IMAP, POP and SMTP.',
  documentationUrl: 'https://www.fastmail.com/for-developers/oauth/',
  authorizationUrl: 'https://api.fastmail.com/oauth/authorize',
  tokenUrl: 'https://api.fastmail.com/oauth/refresh',
  scopes: { default: [IMAP, SMTP], imap: [IMAP], smtp: [SMTP], pop3: [POP], all: [IMAP, POP, SMTP] },
  flows: ['code'],
  redirectUrl: 'http://localhost/callback',
  warnings: ['Fastmail registers OAuth clients by hand: ask Fastmail for a client ID before you authorize.'],
  // Fastmail's own domains (its FAQ is served from ftml.net, warpmail.net and realemail.net);
  // custom domains hosted at Fastmail are found through their MX (`*.messagingengine.com`).
  emailDomains: [
    'fastmail.com',
    'fastmail.fm',
    'messagingengine.com',
    'sent.com',
    'ftml.net',
    'warpmail.net',
    'realemail.net',
  ],
  mail: {
    imap: { host: 'imap.fastmail.com', port: 993, tls: 'implicit' },
    smtp: { host: 'smtp.fastmail.com', port: 465, tls: 'implicit' },
    pop3: { host: 'pop.fastmail.com', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
