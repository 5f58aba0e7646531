/**
 * Zoho's profile: exact redirect matching, and multi-DC accounts. Every authorization goes
 * through the accounts server it was sent to, but the account lives in `accountDataCentre`: the
 * redirect carries `location=<dc>` and `accounts-server=https://accounts.<domain>`, and the code
 * can only be exchanged at that data centre's token endpoint (another answers `invalid_code`,
 * with status 200, as Zoho does).
 *
 * @see https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html
 * @module
 */
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

/** Zoho's data centres and their domains (`accounts.<domain>`). */
export const ZOHO_DATA_CENTRES: Readonly<Record<string, string>> = {
  us: 'zoho.com',
  eu: 'zoho.eu',
  in: 'zoho.in',
  au: 'zoho.com.au',
  jp: 'zoho.jp',
  cn: 'zoho.com.cn',
  sa: 'zoho.sa',
  ca: 'zohocloud.ca',
  uk: 'zoho.uk',
};

/**
 * Starts Zoho's profile; the account lives in `accountDataCentre`.
 *
 * @example
 * ```ts
 * const zoho = await startZohoProfile({ clientId, clientSecret, redirectUris: ['http://127.0.0.1:18473/callback'] }, 'eu');
 * ```
 */
export function startZohoProfile(client: ProfileClient, accountDataCentre: string): Promise<ProfileServer> {
  const domain = ZOHO_DATA_CENTRES[accountDataCentre];
  if (!domain) throw new TypeError(`unknown Zoho data centre ${accountDataCentre}`);
  const accountsHost = `accounts.${domain}`;
  return startProfileServer(client, {
    redirectMatching: 'exact',
    authorizationPath: '/oauth/v2/auth',
    tokenPath: '/oauth/v2/token',
    onAuthorize: () => ({
      redirectParams: { location: accountDataCentre, 'accounts-server': `https://${accountsHost}` },
      data: { accountsHost },
    }),
    checkTokenRequest: ({ host, grant }) =>
      grant && host !== grant.data.accountsHost
        ? { status: 200, body: { error: 'invalid_code' } }
        : undefined,
  });
}
