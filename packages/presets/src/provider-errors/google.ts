import type { ProviderErrorEntry } from './entry.js';

const ERRORS = 'https://developers.google.com/identity/protocols/oauth2/native-app#authorization-errors';
const EXPIRATION = 'https://developers.google.com/identity/protocols/oauth2#expiration';
const DEVICE_SCOPES =
  'https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes';
const SMTP_ERRORS = 'https://support.google.com/mail/answer/7126229';
const XOAUTH2 = 'https://developers.google.com/gmail/imap/xoauth2-protocol';

/**
 * Google's OAuth errors and Gmail's mail server replies.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/native-app#authorization-errors (admin_policy_enforced, disallowed_useragent, org_internal, redirect_uri_mismatch, invalid_grant)
 * @see https://developers.google.com/identity/protocols/oauth2#expiration (7-day refresh tokens of apps in "Testing")
 * @see https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes (the few scopes the device flow allows)
 * @see https://support.google.com/mail/answer/7126229 (Gmail SMTP replies: 534 5.7.9)
 * @see https://developers.google.com/gmail/imap/xoauth2-protocol (XOAUTH2 for IMAP and SMTP, the https://mail.google.com/ scope)
 */
export const googleErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'invalid_grant (7-day refresh token)',
    error: 'invalid_grant',
    refreshTokenAgeDays: [6, 8],
    explanation:
      'The refresh token was about 7 days old: Google gives apps whose OAuth consent screen is in "Testing" publishing status refresh tokens that expire after 7 days.',
    fix: 'authorize again; to stop it, set the consent screen\'s publishing status to "In production" (Google Auth Platform > Audience > Publish app)',
    source: EXPIRATION,
  },
  {
    code: 'invalid_grant',
    error: 'invalid_grant',
    explanation:
      'Google no longer accepts the refresh token ("Token has been expired or revoked"): access was removed at myaccount.google.com, the password changed while Gmail scopes were granted, it went unused for six months, or the account holds too many tokens for this client.',
    fix: 'authorize the account again',
    source: EXPIRATION,
  },
  {
    code: 'redirect_uri_mismatch',
    error: 'redirect_uri_mismatch',
    explanation: (facts) =>
      `The redirect URL${facts.redirectUrl ? ` (${facts.redirectUrl})` : ''} is not allowed for this OAuth client.`,
    fix: 'create the OAuth client as application type "Desktop app", which accepts any loopback port, instead of "Web application"',
    source: ERRORS,
  },
  {
    code: 'org_internal',
    error: 'org_internal',
    explanation:
      'The OAuth client is limited to the users of one Google Cloud organization (user type "Internal").',
    fix: 'sign in with an account of that organization, or set the audience of the consent screen to "External"',
    source: ERRORS,
  },
  {
    code: 'admin_policy_enforced',
    error: 'admin_policy_enforced',
    explanation:
      "The Google Workspace administrator's policy does not allow this app or these scopes for the account.",
    fix: 'ask the Workspace administrator to trust the app (Security > Access and data control > API controls)',
    source: ERRORS,
  },
  {
    code: 'disallowed_useragent',
    error: 'disallowed_useragent',
    explanation: 'The sign-in page was opened in an embedded browser, which Google refuses.',
    fix: 'open the authorization URL in a regular browser, or use --no-open and paste the address the browser was sent to',
    source: ERRORS,
  },
  {
    code: 'invalid_scope (device flow)',
    error: 'invalid_scope',
    flows: ['device'],
    explanation:
      "Google's device flow allows only a few scopes (profile, email, Drive files, YouTube…); the Gmail scope https://mail.google.com/ is not one of them.",
    fix: 'use the code flow (--flow code) for mail, with a "Desktop app" client',
    source: DEVICE_SCOPES,
  },
  {
    code: 'access_denied',
    error: 'access_denied',
    explanation:
      'The sign-in was refused: the user pressed Cancel, or the app is in "Testing" and the account is not one of its test users.',
    fix: 'authorize again and allow access; for an app in "Testing" add the account under Audience > Test users',
    source: ERRORS,
  },
  {
    code: '534-5.7.9',
    text: /\b534[ -]5\.7\.9\b/,
    explanation:
      'Gmail got a password instead of an OAuth token ("Application-specific password required"): the mail client is not using XOAUTH2.',
    fix: 'set the mail client to OAuth 2.0 / XOAUTH2 and give it the token from "oauth-authorizer token <account>" (or "oauth-authorizer sasl <account>")',
    source: SMTP_ERRORS,
  },
  {
    code: '[AUTHENTICATIONFAILED]',
    text: /\[AUTHENTICATIONFAILED\]/i,
    explanation:
      'Gmail refused the token ("Invalid credentials"): it has expired, lacks the https://mail.google.com/ scope, or the user name in the SASL string is another account.',
    fix: 'fetch a fresh token with "oauth-authorizer token <account>", and authorize again if the scope was not https://mail.google.com/',
    source: XOAUTH2,
  },
];
