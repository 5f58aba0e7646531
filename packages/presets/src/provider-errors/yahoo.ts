import type { ProviderErrorEntry } from './entry.js';

const ERRORS = 'https://developer.yahoo.com/oauth2/guide/errors/';
const MAIL = 'https://senders.yahooinc.com/developer/documentation';

/**
 * Yahoo's (and AOL's) OAuth 2.0 errors. Yahoo writes its codes in capitals in the guide; they
 * are matched without regard to case.
 *
 * @see https://developer.yahoo.com/oauth2/guide/errors/ (INVALID_CLIENT, INVALID_REDIRECT_URI, INVALID_CALLBACK, INVALID_CLIENT_SECRET, INVALID_GRANT, TOKEN_EXPIRED, INVALID_REFRESH_TOKEN)
 * @see https://senders.yahooinc.com/developer/documentation (the mail scope needs Yahoo's approval; one client per namespace)
 */
export const yahooErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'INVALID_CLIENT',
    error: 'invalid_client',
    explanation:
      'Yahoo does not know this client ID. An AOL account needs an AOL client; a Yahoo client does not work for it.',
    fix: 'check the client ID (Consumer Key, without leading spaces) of the app, for the right namespace',
    source: MAIL,
  },
  {
    code: 'INVALID_REDIRECT_URI',
    error: 'invalid_redirect_uri',
    explanation: (facts) =>
      `The redirect URL${facts.redirectUrl ? ` (${facts.redirectUrl})` : ''} is not the one registered: Yahoo compares it exactly, port included.`,
    fix: 'register exactly the redirect URL that "oauth-authorizer presets show yahoo" prints, or pass the registered one with --redirect-url',
    source: ERRORS,
  },
  {
    code: 'INVALID_CALLBACK',
    error: 'invalid_callback',
    explanation: 'The redirect URL uses a port Yahoo does not support, or does not belong to this client ID.',
    fix: 'register exactly the redirect URL the preset prints and use it unchanged',
    source: ERRORS,
  },
  {
    code: 'INVALID_CLIENT_SECRET',
    error: 'invalid_client_secret',
    explanation: 'The client secret (Consumer Secret) is wrong.',
    fix: 'copy the Client Secret of the app again from developer.yahoo.com/apps',
    source: ERRORS,
  },
  {
    code: 'INVALID_GRANT',
    error: 'invalid_grant',
    explanation: 'The code or refresh token is invalid or expired, or the user revoked access.',
    fix: 'authorize the account again',
    source: ERRORS,
  },
  {
    code: 'TOKEN_EXPIRED',
    error: 'token_expired',
    explanation: 'The refresh token has expired.',
    fix: 'authorize the account again',
    source: ERRORS,
  },
  {
    code: 'INVALID_REFRESH_TOKEN',
    error: 'invalid_refresh_token',
    explanation: 'Yahoo does not accept the refresh token.',
    fix: 'authorize the account again',
    source: ERRORS,
  },
  {
    code: 'INVALID_SCOPE',
    error: 'invalid_scope',
    explanation: 'The app may not ask for the mail-w scope: Yahoo grants it only to apps it has approved.',
    fix: 'request developer access to Yahoo Mail (senders.yahooinc.com/developer) and wait for the approval',
    source: MAIL,
  },
];
