import type { ProviderErrorEntry } from './entry.js';

const TROUBLESHOOTING = 'https://help.zoho.com/portal/en/community/topic/kaizen-4-troubleshooting-oauth2-0';
const MULTI_DC = 'https://www.zoho.com/accounts/protocol/oauth/multi-dc.html';
const SETUP = 'https://www.zoho.com/accounts/protocol/oauth-setup.html';

/**
 * Zoho Accounts' OAuth errors.
 *
 * @see https://help.zoho.com/portal/en/community/topic/kaizen-4-troubleshooting-oauth2-0 (invalid_client, invalid_code, invalid_redirect_uri, invalid_client_secret)
 * @see https://www.zoho.com/accounts/protocol/oauth/multi-dc.html (a client works in another data centre only with Multi-DC switched on)
 * @see https://www.zoho.com/accounts/protocol/oauth-setup.html (a code is valid for two minutes and once)
 */
export const zohoErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'invalid_client',
    error: 'invalid_client',
    explanation:
      "Zoho does not know this client ID in this data centre: the account lives in another data centre, or the client's Multi-DC support is off.",
    fix: "give the data centre of the account (--param dataCenter=eu, in, au, jp, ca, uk, sa, cn), or switch on Multi-DC in the client's settings in the API console",
    source: MULTI_DC,
  },
  {
    code: 'invalid_code',
    error: 'invalid_code',
    explanation: 'The authorization code expired (Zoho codes live two minutes) or was already used.',
    fix: 'authorize again and finish within two minutes',
    source: SETUP,
  },
  {
    code: 'invalid_redirect_uri',
    error: 'invalid_redirect_uri',
    explanation: (facts) =>
      `The redirect URL${facts.redirectUrl ? ` (${facts.redirectUrl})` : ''} is not an Authorized Redirect URI of the client.`,
    fix: 'add exactly the redirect URL that "oauth-authorizer presets show zoho" prints to the client in the Zoho API console',
    source: TROUBLESHOOTING,
  },
  {
    code: 'invalid_client_secret',
    error: 'invalid_client_secret',
    explanation:
      'The client secret is wrong, or belongs to another data centre (Multi-DC clients may have one per data centre).',
    fix: 'copy the Client Secret of the data centre of the account from the API console',
    source: TROUBLESHOOTING,
  },
];
