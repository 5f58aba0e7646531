import { resolveMx as systemResolveMx } from 'node:dns/promises';
import { builtInPresets, requireBuiltInPreset } from './built-in.js';
import { findPresetByEmail } from './find-preset.js';
import type { Preset } from './preset.js';

/** An MX record: the mail exchanger's host name and its priority (lower first). */
export interface MxRecord {
  exchange: string;
  priority: number;
}

/** The preset found for an address, how it was found, and why, in one line. */
export interface AddressPresetMatch {
  /** The preset; `custom` when nothing matched. */
  readonly preset: Preset;
  /** The address's domain, lower-case (empty when the address has none). */
  readonly domain: string;
  /** Parameter values the domain or its mail host implies (`tenant`, `dataCenter`…). */
  readonly parameters: Readonly<Record<string, string>>;
  /** `domain`: a provider's own domain; `mx`: a domain whose mail a provider hosts; `none`: no match. */
  readonly via: 'domain' | 'mx' | 'none';
  /** The mail exchanger that matched, for `via: 'mx'`. */
  readonly mx?: string;
  /** One line for a person: why this preset. */
  readonly reason: string;
}

/** Options of {@link findPresetForAddress}. */
export interface FindPresetForAddressOptions {
  /** Looks up a domain's MX records. Default: `node:dns/promises`'s `resolveMx` (the system's resolver) */
  resolveMx?: (domain: string) => Promise<readonly MxRecord[]>;
  /** Where to look for the domain first, e.g. with loaded community presets. Default: the built-in presets */
  presets?: readonly Preset[];
  /** Stops waiting for the DNS answer; the result is then `custom`, saying so. */
  signal?: AbortSignal;
}

/** A well-known mail host, the preset it means, and the parameters it implies for `domain`. */
interface MailHostRule {
  readonly label: string;
  readonly presetId: string;
  readonly matches: (host: string) => boolean;
  readonly parameters?: (host: string, domain: string) => Record<string, string>;
}

const within = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

/** Zoho's mail exchangers name the data centre: mx.zoho.eu, mx.zoho.com.au, mx.zohocloud.ca… */
const ZOHO_MX = /(?:^|\.)(zoho\.(?:com\.au|com\.cn|com|eu|in|jp|sa|uk)|zohocloud\.ca)$/;
const ZOHO_DATA_CENTRES: Readonly<Record<string, string>> = {
  'zoho.com': 'us',
  'zoho.eu': 'eu',
  'zoho.in': 'in',
  'zoho.com.au': 'au',
  'zoho.jp': 'jp',
  'zoho.com.cn': 'cn',
  'zoho.sa': 'sa',
  'zoho.uk': 'uk',
  'zohocloud.ca': 'ca',
};

/**
 * The mail exchangers of the hosted services, as their set-up guides give them.
 *
 * @see https://support.google.com/a/answer/174125 (Google Workspace MX: smtp.google.com since 2023; the older aspmx.l.google.com and alt1–alt4.aspmx.l.google.com are still supported)
 * @see https://learn.microsoft.com/en-us/microsoft-365/enterprise/external-domain-name-system-records (Microsoft 365 MX: <domain>.mail.protection.outlook.com)
 * @see https://www.fastmail.help/hc/en-us/articles/360060591153 (Fastmail's DNS records: its mail hosts are under messagingengine.com)
 * @see https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html (Zoho MX: mx.zoho.com, mx2.zoho.com, mx3.zoho.com, and the same under each data centre's domain)
 * @see https://yandex.com.tr/support/kurum/set-mail/mx.html (Yandex mail for a domain: MX mx.yandex.net, priority 10)
 */
const MAIL_HOST_RULES: readonly MailHostRule[] = [
  {
    label: 'Google Workspace',
    presetId: 'google',
    matches: (host) => within(host, 'google.com') || within(host, 'googlemail.com'),
  },
  {
    label: 'Microsoft 365',
    presetId: 'microsoft',
    matches: (host) => within(host, 'mail.protection.outlook.com'),
    // A verified domain names its tenant.
    parameters: (_host, domain) => ({ tenant: domain }),
  },
  {
    label: 'Fastmail',
    presetId: 'fastmail',
    matches: (host) => within(host, 'messagingengine.com'),
  },
  {
    label: 'Zoho Mail',
    presetId: 'zoho',
    matches: (host) => ZOHO_MX.test(host),
    // A domain of one's own at Zoho is an organization account, in the data centre of its MX.
    parameters: (host) => ({
      dataCenter: ZOHO_DATA_CENTRES[ZOHO_MX.exec(host)?.[1] ?? ''] ?? 'us',
      accountType: 'organization',
    }),
  },
  {
    label: 'Yandex 360',
    presetId: 'yandex',
    matches: (host) => host === 'mx.yandex.net',
  },
];

function domainOf(address: string): string {
  return address
    .slice(address.lastIndexOf('@') + 1)
    .trim()
    .replace(/\.$/, '')
    .toLowerCase();
}

function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) reject(new Error('the lookup was cancelled'));
    signal?.addEventListener('abort', () => reject(new Error('the lookup was cancelled')), { once: true });
  });
}

/**
 * Finds the preset for an e-mail address: first by the providers' own domains (`gmail.com`,
 * `outlook.com`, `yahoo.co.uk`…), then by the domain's MX records, matched against the mail
 * hosts of Google Workspace (`*.google.com`, `*.googlemail.com`), Microsoft 365
 * (`*.mail.protection.outlook.com`, with the domain as the tenant), Fastmail
 * (`*.messagingengine.com`), Zoho (`mx.zoho.*`, with the data centre) and Yandex 360
 * (`mx.yandex.net`). Anything else gets `custom`, with the reason in one line. A failed lookup is
 * not an error: it is the reason.
 *
 * @param address `me@example.com`, or a bare domain.
 * @example
 * ```ts
 * const match = await findPresetForAddress('me@contoso.com');
 * // { preset: microsoft, parameters: { tenant: 'contoso.com' }, via: 'mx', mx: 'contoso-com.mail.protection.outlook.com', … }
 * ```
 */
export async function findPresetForAddress(
  address: string,
  options: FindPresetForAddressOptions = {},
): Promise<AddressPresetMatch> {
  if (typeof address !== 'string') throw new TypeError('findPresetForAddress() takes an address or a domain');
  const custom = requireBuiltInPreset('custom');
  const domain = domainOf(address);
  const none = (reason: string): AddressPresetMatch => ({
    preset: custom,
    domain,
    parameters: {},
    via: 'none',
    reason,
  });
  if (domain === '') return none(`"${address}" has no domain: give the settings yourself`);

  const known = findPresetByEmail(domain, { presets: options.presets ?? builtInPresets });
  if (known) {
    return { ...known, via: 'domain', reason: `${domain} is a ${known.preset.name} domain` };
  }

  let records: readonly MxRecord[];
  try {
    const lookup = (options.resolveMx ?? systemResolveMx)(domain);
    records = await (options.signal ? Promise.race([lookup, aborted(options.signal)]) : lookup);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA')
      return none(`${domain} has no MX records, so its mail provider is unknown: give the settings yourself`);
    const why = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return none(`the MX records of ${domain} could not be looked up (${why}): give the settings yourself`);
  }
  const hosts = [...records]
    .sort((a, b) => a.priority - b.priority)
    .map((record) => record.exchange.replace(/\.$/, '').toLowerCase());
  for (const host of hosts) {
    const rule = MAIL_HOST_RULES.find((candidate) => candidate.matches(host));
    if (!rule) continue;
    const preset = requireBuiltInPreset(rule.presetId);
    return {
      preset,
      domain,
      parameters: rule.parameters?.(host, domain) ?? {},
      via: 'mx',
      mx: host,
      reason: `the mail of ${domain} is handled by ${host} (${rule.label})`,
    };
  }
  return none(
    hosts.length === 0
      ? `${domain} has no MX records, so its mail provider is unknown: give the settings yourself`
      : `the mail of ${domain} goes to ${hosts[0]}, which is not a provider with a preset: give the settings yourself`,
  );
}
