import { definePreset } from '../define-preset.js';

const IMAP = 'ZOHOMAIL.PROTOCOL.IMAP';
const POP = 'ZOHOMAIL.PROTOCOL.POP';

/**
 * Zoho Mail. Zoho keeps each account in one regional data centre, with its own accounts server
 * (`accounts.zoho.eu`…) and mail servers; tokens from one data centre do not work in another, so
 * the data centre is a parameter. Organization accounts use the `imappro`/`poppro` hosts. Zoho
 * joins scopes with commas, so the combined scope is written as one comma-joined scope token.
 * `access_type=offline` and `prompt=consent` make Zoho issue a refresh token. Zoho's device flow
 * (`/oauth/v3/device/…`) is not RFC 8628 on the wire (its own `grant_type` values and a `code`
 * field), so this preset offers the code flow only.
 *
 * Zoho compares the redirect URL with an "Authorized Redirect URI" of the client exactly, so the
 * preset fixes `http://127.0.0.1:18473/callback`. A client with Multi-DC support signs users of
 * every data centre in through one accounts server and adds `location` (and `accounts-server`)
 * to the redirect: `redirectParameters` maps `location` to `dataCenter`, so the code is
 * exchanged in the user's own data centre (see `parametersFromRedirect()`). `accounts-server` is
 * never followed as a URL. A "Self Client" has no redirect URL: its codes come from the API
 * console ("Generate Code") and expire within minutes, so it suits a one-off set-up, not this flow.
 *
 * @see https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html (location and accounts-server on the redirect; the token request goes to the user's data centre)
 * @see https://www.zoho.com/accounts/protocol/oauth-setup.html (client types, Authorized Redirect URI, Self Client)
 * @see https://www.zoho.com/mail/help/sasl-xoauth2-smtp-imap-pop-protocol-exchange.html (protocol scopes, XOAUTH2)
 * @see https://www.zoho.com/accounts/protocol/oauth/multi-dc.html (data centres and accounts servers, including Canada accounts.zohocloud.ca and the UK accounts.zoho.uk)
 * @see https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html (endpoints, access_type, prompt)
 * @see https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html (the non-standard device flow)
 * @see https://www.zoho.com/mail/help/zoho-smtp.html (server naming: `smtp.zoho.com`; regional domains and `…pro` hosts for organizations)
 * @see https://github.com/chatmail/provider-db/blob/master/_providers/zoho.md (regional IMAP host `imap.zoho.eu`; IMAP must be switched on)
 * @see https://www.zoho.com/mail/help/imap-access.html (IMAP access, personal and organization hosts)
 *
 * The Canadian (`zohocloud.ca`) and UK (`zoho.uk`) mail hosts are not on any Zoho page we could
 * find (searched Zoho's IMAP, SMTP and multi-DC pages, December 2026); only their accounts servers
 * are (multi-DC page above). Canada's `imap.zohocloud.ca`, `imappro.zohocloud.ca` and
 * `pop.zohocloud.ca` are the hosts public configurations of Canadian Zoho users name, which
 * follow the rule of the other data centres. The UK's `imap.zoho.uk` / `imappro.zoho.uk` /
 * `pop.zoho.uk` / `poppro.zoho.uk` follow the same rule and are unconfirmed.
 * @example
 * ```ts
 * import { resolvePreset, zoho } from '@oauth-authorizer/presets';
 * const { provider, mail } = resolvePreset(zoho, {
 *   clientId, clientSecret, parameters: { dataCenter: 'eu', accountType: 'organization' },
 * });
 * ```
 */
export const zoho = definePreset({
  id: 'zoho',
  name: 'Zoho Mail',
  description: 'Zoho Mail over IMAP and POP, in the data centre that holds the account.',
  documentationUrl: 'https://www.zoho.com/mail/help/sasl-xoauth2-smtp-imap-pop-protocol-exchange.html',
  authorizationUrl: 'https://accounts.{dataCenter}/oauth/v2/auth',
  tokenUrl: 'https://accounts.{dataCenter}/oauth/v2/token',
  parameters: {
    dataCenter: {
      description:
        'The data centre of the Zoho account: the domain you sign in at (zoho.com → us, zoho.eu → eu, zohocloud.ca → ca, zoho.uk → uk…)',
      default: 'us',
      choices: {
        us: 'zoho.com',
        eu: 'zoho.eu',
        in: 'zoho.in',
        au: 'zoho.com.au',
        jp: 'zoho.jp',
        cn: 'zoho.com.cn',
        sa: 'zoho.sa',
        ca: 'zohocloud.ca',
        uk: 'zoho.uk',
      },
    },
    accountType: {
      description: 'A personal account, or an organization account with its own domain',
      default: 'personal',
      choices: { personal: '', organization: 'pro' },
    },
  },
  scopes: { default: [IMAP], imap: [IMAP], pop3: [POP], all: [`${IMAP},${POP}`] },
  flows: ['code'],
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  clientAuth: 'client_secret_post',
  clientSecretRequired: true,
  redirectUrl: 'http://127.0.0.1:18473/callback',
  exactRedirect: true,
  redirectParameters: { location: 'dataCenter' },
  warnings: [
    'Register the client in the Zoho API console as a "Server-based Application" with exactly http://127.0.0.1:18473/callback as its Authorized Redirect URI (a Self Client has no redirect URL). For accounts in other data centres, switch on Multi-DC in the client\'s settings.',
    'Choose the data centre that holds the Zoho account: tokens from one data centre do not work in another.',
    'Zoho Mail answers IMAP and POP only when access is switched on under Settings > Mail Accounts.',
  ],
  emailDomains: [
    'zohomail.com',
    'zoho.com',
    { domain: 'zohomail.eu', parameters: { dataCenter: 'eu' } },
    { domain: 'zoho.eu', parameters: { dataCenter: 'eu' } },
    { domain: 'zohomail.in', parameters: { dataCenter: 'in' } },
    { domain: 'zoho.in', parameters: { dataCenter: 'in' } },
  ],
  mail: {
    imap: { host: 'imap{accountType}.{dataCenter}', port: 993, tls: 'implicit' },
    pop3: { host: 'pop{accountType}.{dataCenter}', port: 995, tls: 'implicit' },
    sasl: 'XOAUTH2',
  },
});
