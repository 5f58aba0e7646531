import type { ProviderErrorEntry } from './entry.js';

const TOKEN_ERRORS =
  'https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';
const DEVICE_ERRORS =
  'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

/**
 * GitHub's OAuth errors (sent with status 200 from the token endpoint).
 *
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors (incorrect_client_credentials, redirect_uri_mismatch, bad_verification_code, unverified_user_email)
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow (expired_token, device_flow_disabled, incorrect_device_code, access_denied)
 */
export const githubErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'incorrect_client_credentials',
    error: 'incorrect_client_credentials',
    explanation: 'The client ID or client secret is wrong.',
    fix: "copy the Client ID and generate a new client secret in the app's settings (Settings > Developer settings)",
    source: TOKEN_ERRORS,
  },
  {
    code: 'redirect_uri_mismatch',
    error: 'redirect_uri_mismatch',
    explanation: (facts) =>
      `The redirect URL${facts.redirectUrl ? ` (${facts.redirectUrl})` : ''} does not match the app's callback URL.`,
    fix: 'set the callback URL of the app to http://127.0.0.1/callback (GitHub accepts any port on a loopback callback)',
    source: TOKEN_ERRORS,
  },
  {
    code: 'bad_verification_code',
    error: 'bad_verification_code',
    explanation: 'The code is wrong, expired (GitHub codes live ten minutes) or already used.',
    fix: 'authorize again',
    source: TOKEN_ERRORS,
  },
  {
    code: 'unverified_user_email',
    error: 'unverified_user_email',
    explanation: 'The GitHub account has no verified primary e-mail address.',
    fix: 'verify the primary e-mail address of the account, then authorize again',
    source: TOKEN_ERRORS,
  },
  {
    code: 'device_flow_disabled',
    error: 'device_flow_disabled',
    explanation: 'The device flow is not switched on for this app.',
    fix: 'tick "Enable Device Flow" in the app\'s settings, or use --flow code',
    source: DEVICE_ERRORS,
  },
  {
    code: 'expired_token',
    error: 'expired_token',
    explanation: 'The device code expired (after 15 minutes) before the code was entered.',
    fix: 'authorize again and enter the code sooner',
    source: DEVICE_ERRORS,
  },
  {
    code: 'incorrect_device_code',
    error: 'incorrect_device_code',
    explanation: 'GitHub does not know the device code.',
    fix: 'authorize again',
    source: DEVICE_ERRORS,
  },
  {
    code: 'access_denied',
    error: 'access_denied',
    explanation: 'The user pressed Cancel on the authorization page.',
    fix: 'authorize again and allow access',
    source: DEVICE_ERRORS,
  },
];
