import type { ProviderErrorEntry } from './entry.js';

const CODES = 'https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes';
const SMTP_AUTH =
  'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission';
const MAIL_OAUTH =
  'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth';
const CONSENT = 'https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent';
const REFRESH = 'https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens';

/**
 * Microsoft Entra ID (AADSTS codes) and Exchange Online's mail server replies.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (every AADSTS code below)
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens (90-day inactivity lifetime of refresh tokens)
 * @see https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission (535 5.7.139)
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth (scopes, service principal and mailbox permissions)
 */
export const microsoftErrors: readonly ProviderErrorEntry[] = [
  {
    code: 'AADSTS65001',
    aadsts: '65001',
    explanation: 'The user or an administrator has not consented to the permissions the app asks for.',
    fix: "sign in again and accept the consent screen; in Microsoft 365, where users may not consent to IMAP.AccessAsUser.All or POP.AccessAsUser.All, an administrator grants admin consent under the app registration's API permissions",
    source: CONSENT,
  },
  {
    code: 'AADSTS90094',
    aadsts: '90094',
    explanation: "The tenant's consent policy lets only an administrator grant these permissions.",
    fix: 'ask an administrator to grant admin consent in the app registration (API permissions > Grant admin consent), or to allow user consent for these scopes',
    source: CONSENT,
  },
  {
    code: 'AADSTS700016',
    aadsts: '700016',
    explanation: 'No app with this client ID exists in the tenant you signed in to.',
    fix: 'check the client ID (Application ID of the app registration) and the tenant; for accounts of other tenants the app must be registered as multitenant',
    source: CODES,
  },
  {
    code: 'AADSTS50011',
    aadsts: '50011',
    explanation: (facts) =>
      `The redirect URL sent${facts.redirectUrl ? ` (${facts.redirectUrl})` : ''} is not one the app registration lists.`,
    fix: 'add it under Authentication > Mobile and desktop applications in the app registration (http://localhost with any port is accepted there), or pass --redirect-url with one that is registered',
    source: CODES,
  },
  {
    code: 'AADSTS9002313',
    aadsts: '9002313',
    explanation: 'Microsoft found the request malformed or invalid.',
    fix: 'check the tenant, the client ID and the scopes; if the saved settings were edited by hand, authorize the account again',
    source: CODES,
  },
  {
    code: 'AADSTS70000',
    aadsts: '70000',
    explanation:
      'The grant was refused: the refresh token or code is invalid, expired, or was issued for other scopes.',
    fix: 'authorize the account again',
    source: CODES,
  },
  {
    code: 'AADSTS50173',
    aadsts: '50173',
    explanation: 'The grant was revoked, typically because the password was changed or reset.',
    fix: 'authorize the account again with the new password',
    source: CODES,
  },
  {
    code: 'AADSTS700082',
    aadsts: '700082',
    explanation: 'The refresh token expired because it was not used for 90 days.',
    fix: 'authorize the account again; a scheduled token refresh keeps it alive',
    source: REFRESH,
  },
  {
    code: 'AADSTS70043',
    aadsts: '70043',
    explanation:
      'The refresh token is no longer valid because of a Conditional Access sign-in frequency policy.',
    fix: "authorize the account again; the administrator's sign-in frequency decides how often this is needed",
    source: CODES,
  },
  {
    code: 'AADSTS7000112',
    aadsts: '7000112',
    explanation: 'The app is disabled in the tenant.',
    fix: 'an administrator enables it under Enterprise applications > the app > Properties ("Enabled for users to sign in")',
    source: CODES,
  },
  {
    code: 'AADSTS9001023',
    aadsts: '9001023',
    explanation: 'This grant type is not supported on the common or consumers endpoints.',
    fix: 'use the organizations tenant or the tenant ID (--tenant <tenant-id>)',
    source: CODES,
  },
  {
    code: 'AADSTS50194',
    aadsts: '50194',
    explanation: 'The app is single-tenant, so it cannot sign in through the common endpoint.',
    fix: 'pass the tenant ID or domain with --tenant, or make the app registration multitenant',
    source: CODES,
  },
  {
    code: 'AADSTS7000218',
    aadsts: '7000218',
    explanation: 'The app registration is a confidential client, so Microsoft wants a client secret.',
    fix: 'give the client secret, or set "Allow public client flows" to Yes under Authentication > Advanced settings',
    source: CODES,
  },
  {
    code: 'AADSTS700025',
    aadsts: '700025',
    explanation: 'The app registration is a public client, so it must not send a client secret.',
    fix: 'authorize again without a client secret',
    source: CODES,
  },
  {
    code: 'AADSTS7000215',
    aadsts: '7000215',
    explanation:
      'The client secret is wrong: often the secret ID was given instead of its value, or the secret expired.',
    fix: 'create a new secret under Certificates & secrets and give its Value (shown once), not its Secret ID',
    source: CODES,
  },
  {
    code: 'AADSTS50076',
    aadsts: '50076',
    explanation: 'The tenant requires multifactor authentication for this sign-in.',
    fix: 'authorize again in a browser and complete the second factor',
    source: CODES,
  },
  {
    code: 'AADSTS50079',
    aadsts: '50079',
    explanation: 'The user must register for multifactor authentication first.',
    fix: 'register a second factor (aka.ms/mfasetup), then authorize again',
    source: CODES,
  },
  {
    code: 'AADSTS53003',
    aadsts: '53003',
    explanation: 'A Conditional Access policy blocked the sign-in.',
    fix: 'ask an administrator which policy applies (the sign-in logs name it), e.g. a compliant device or location',
    source: CODES,
  },
  {
    code: '535 5.7.139',
    text: /\b535[ -]5\.7\.139\b/,
    explanation:
      'SMTP AUTH is switched off for the tenant or the mailbox, so the SMTP server refuses any sign-in.',
    fix: 'an Exchange administrator turns it on: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false (or Set-TransportConfig -SmtpClientAuthenticationDisabled $false for the tenant)',
    source: SMTP_AUTH,
  },
  {
    code: '5.7.3 Authentication unsuccessful',
    text: /\b5\.7\.3\b/,
    explanation:
      'The mail server refused the token: it lacks the IMAP/POP/SMTP scope, is for another user, or (app-only) the service principal has no permission on the mailbox.',
    fix: 'authorize with the scope of the protocol (--scope-set imap/smtp/pop3); for app-only access register the service principal (New-ServicePrincipal) and grant it the mailbox (Add-MailboxPermission -AccessRights FullAccess)',
    source: MAIL_OAUTH,
  },
];
