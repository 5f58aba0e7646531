import { definePreset } from '../define-preset.js';

const IMAP = 'https://outlook.office.com/IMAP.AccessAsUser.All';
const POP = 'https://outlook.office.com/POP.AccessAsUser.All';
const SMTP = 'https://outlook.office.com/SMTP.Send';
const OFFLINE = 'offline_access';
/**
 * Outlook.com's domains (personal Microsoft accounts): the four main ones and the regional
 * domains issue 14 lists (Outlook.com's settings page applies to all of them).
 * @see https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353
 */
const OUTLOOK_COM_DOMAINS = [
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'hotmail.de',
  'hotmail.it',
  'live.co.uk',
  'live.fr',
  'outlook.de',
  'outlook.fr',
  'outlook.es',
  'outlook.jp',
];
/** The tenants Microsoft names rather than identifies; app-only access needs a real tenant. */
const SHARED_TENANTS = ['common', 'organizations', 'consumers'];

/**
 * Microsoft (Outlook.com and Microsoft 365 / Exchange Online) through the Microsoft identity
 * platform v2.0 endpoints of a tenant: `common` (work, school and personal accounts),
 * `organizations`, `consumers`, a tenant ID (GUID) or a verified domain. The IMAP, POP and SMTP
 * scopes need the Outlook resource in full (`https://outlook.office.com/…`) and `offline_access`
 * for a refresh token. App-only access uses the client credentials flow with the
 * `https://outlook.office365.com/.default` scope, which needs a specific tenant and a service
 * principal with mailbox permissions in Exchange. Microsoft has no RFC 7009 revocation endpoint.
 * Outlook.com accounts (`tenant=consumers`) send through `smtp-mail.outlook.com`, as Microsoft's
 * Outlook.com settings page gives it; Microsoft 365 mailboxes through `smtp.office365.com`.
 *
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth (scopes, client credentials, XOAUTH2, servers)
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints (tenant values)
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353 (Outlook.com servers: IMAP and POP at outlook.office365.com, SMTP at smtp-mail.outlook.com 587 STARTTLS; IMAP and POP must be switched on)
 * @see https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission (SMTP AUTH can be off per tenant or mailbox: 535 5.7.139)
 * @see https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent (user consent policies; admin consent)
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (AADSTS65001, AADSTS90094)
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/msal-client-application-configuration (the device code flow needs "Allow public client flows")
 * @example
 * ```ts
 * import { microsoft, resolvePreset } from '@oauth-authorizer/presets';
 * const work = resolvePreset(microsoft, { clientId, parameters: { tenant: 'contoso.onmicrosoft.com' } });
 * const appOnly = resolvePreset(microsoft, {
 *   clientId, clientSecret, flow: 'client_credentials', parameters: { tenant: tenantId },
 * });
 * ```
 */
export const microsoft = definePreset({
  id: 'microsoft',
  name: 'Microsoft (Outlook.com, Microsoft 365)',
  description: 'Outlook.com and Exchange Online mailboxes over IMAP, POP and SMTP, for a user or app-only.',
  documentationUrl:
    'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  deviceAuthorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode',
  tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  parameters: {
    tenant: {
      description:
        'The directory: "common" (any account), "organizations" (work or school), "consumers" (personal), a tenant ID or a verified domain',
      default: 'common',
      pattern:
        '^(?:common|organizations|consumers|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$',
    },
  },
  scopes: {
    default: [IMAP, SMTP, OFFLINE],
    imap: [IMAP, OFFLINE],
    smtp: [SMTP, OFFLINE],
    pop3: [POP, OFFLINE],
    all: [IMAP, POP, SMTP, OFFLINE],
    app: ['https://outlook.office365.com/.default'],
  },
  flows: ['code', 'device', 'client_credentials'],
  preferredFlow: 'code',
  flowScopes: { client_credentials: 'app' },
  clientAuth: 'client_secret_post',
  redirectUrl: 'http://localhost/',
  warnings: [
    {
      message:
        'Outlook.com switches IMAP and POP off by default: turn them on under Settings > Mail > Forwarding and IMAP.',
      scopes: [IMAP, POP],
    },
    {
      message:
        'App-only access works only after an Exchange administrator has registered the app as a service principal and given it permission to the mailboxes.',
      flows: ['client_credentials'],
    },
    {
      message:
        'Microsoft 365 can switch SMTP AUTH off for the whole tenant or one mailbox; sending then fails with "535 5.7.139". An administrator turns it on with Set-CASMailbox -SmtpClientAuthenticationDisabled $false (or Set-TransportConfig for the tenant).',
      scopes: [SMTP],
    },
    {
      message:
        "In many Microsoft 365 tenants users may not consent to IMAP.AccessAsUser.All and POP.AccessAsUser.All themselves: sign-in then stops with AADSTS65001 or AADSTS90094 until an administrator grants admin consent in the app's API permissions.",
      scopes: [IMAP, POP],
    },
    {
      message:
        'The device flow works only once "Allow public client flows" is set to Yes in the app registration (Authentication > Advanced settings).',
      flows: ['device'],
    },
  ],
  hooks: {
    validateRequest: ({ flow, parameters }) =>
      flow === 'client_credentials' && SHARED_TENANTS.includes(parameters.tenant ?? '')
        ? `app-only access needs the tenant ID or domain, not "${parameters.tenant}"`
        : undefined,
  },
  emailDomains: [
    ...OUTLOOK_COM_DOMAINS.map((domain) => ({
      domain,
      parameters: { tenant: 'consumers' },
    })),
  ],
  mail: {
    imap: { host: 'outlook.office365.com', port: 993, tls: 'implicit' },
    pop3: { host: 'outlook.office365.com', port: 995, tls: 'implicit' },
    smtp: { host: 'smtp.office365.com', port: 587, tls: 'starttls' },
    sasl: 'XOAUTH2',
  },
  mailOverrides: [
    {
      parameters: { tenant: 'consumers' },
      smtp: { host: 'smtp-mail.outlook.com', port: 587, tls: 'starttls' },
    },
  ],
});
