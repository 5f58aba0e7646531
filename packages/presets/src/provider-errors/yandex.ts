import type { ProviderErrorEntry } from './entry.js';

const CODE_URL = 'https://yandex.com/dev/id/doc/en/codes/code-url';

/**
 * Yandex OAuth's errors.
 *
 * @see https://yandex.com/dev/id/doc/en/codes/code-url (token errors: bad_verification_code, invalid_client, invalid_grant, unauthorized_client; redirect errors: access_denied)
 */
export const yandexErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'bad_verification_code',
    error: 'bad_verification_code',
    explanation: 'The confirmation code is wrong or has expired.',
    fix: 'authorize again',
    source: CODE_URL,
  },
  {
    code: 'invalid_grant',
    error: 'invalid_grant',
    explanation: 'The code or the refresh token is invalid or expired, or the user revoked the app.',
    fix: 'authorize the account again',
    source: CODE_URL,
  },
  {
    code: 'invalid_client',
    error: 'invalid_client',
    explanation: 'Yandex does not know the client ID, or the client secret is wrong.',
    fix: 'copy the ClientID and Client secret of the app from oauth.yandex.com again',
    source: CODE_URL,
  },
  {
    code: 'unauthorized_client',
    error: 'unauthorized_client',
    explanation: 'The app was rejected in moderation, is still awaiting it, or is blocked.',
    fix: 'check the app on oauth.yandex.com; its mail permissions (mail:imap_full, mail:smtp) must be granted',
    source: CODE_URL,
  },
];
