import type { ProviderErrorEntry } from './entry.js';

/**
 * Errors every provider may send, explained from the standards, for presets without a table of
 * their own and for codes a provider's table does not list.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint errors)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization errors: access_denied)
 * @see https://www.rfc-editor.org/rfc/rfc5530#section-3 (IMAP AUTHENTICATIONFAILED)
 */
export const commonErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'invalid_grant',
    error: 'invalid_grant',
    explanation:
      'The provider no longer accepts the code or refresh token: it expired, was revoked, or was issued to another client.',
    fix: 'authorize the account again',
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2',
  },
  {
    code: 'invalid_client',
    error: 'invalid_client',
    explanation:
      'The provider did not accept the client: the client ID or secret is wrong, or the client authentication method is not the one registered.',
    fix: "check the client ID and secret in the provider's console",
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2',
  },
  {
    code: 'invalid_scope',
    error: 'invalid_scope',
    explanation: 'The provider refused the scopes asked for.',
    fix: 'check the scopes the app is allowed, or choose another scope set (--scope-set)',
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2',
  },
  {
    code: 'access_denied',
    error: 'access_denied',
    explanation: 'The user or the provider refused the authorization.',
    fix: 'authorize again and allow access',
    source: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1',
  },
  {
    code: '[AUTHENTICATIONFAILED]',
    text: /\[AUTHENTICATIONFAILED\]/i,
    explanation:
      'The IMAP server refused the token: it expired, lacks the mail scope, or was issued for another user.',
    fix: 'fetch a fresh token ("oauth-authorizer token <account>"), and check the scopes and the user name',
    source: 'https://www.rfc-editor.org/rfc/rfc5530#section-3',
  },
];
