import { builtInPresets } from './built-in.js';
import type { Preset } from './preset.js';

/** A preset suggested for an e-mail address, with the parameters its domain implies. */
export interface PresetMatch {
  readonly preset: Preset;
  /** The domain that matched, lower-case. */
  readonly domain: string;
  /** Parameter values the domain implies (Outlook.com → `tenant=consumers`). */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * Suggests a preset for an e-mail address or a bare domain, by the presets' `emailDomains`.
 * Matching is exact and case-insensitive: a company domain hosted by Google or Microsoft is not
 * recognised (its MX records would tell, but that needs the network).
 *
 * @param addressOrDomain `me@gmail.com` or `gmail.com`.
 * @param options.presets Where to look. Default: the built-in presets
 * @example
 * ```ts
 * const match = findPresetByEmail('someone@outlook.com');
 * // match?.preset.id === 'microsoft', match?.parameters.tenant === 'consumers'
 * ```
 */
export function findPresetByEmail(
  addressOrDomain: string,
  options: { presets?: readonly Preset[] } = {},
): PresetMatch | undefined {
  if (typeof addressOrDomain !== 'string')
    throw new TypeError('findPresetByEmail() takes an address or a domain');
  const domain = addressOrDomain
    .slice(addressOrDomain.lastIndexOf('@') + 1)
    .trim()
    .replace(/\.$/, '')
    .toLowerCase();
  if (domain === '') return undefined;
  for (const preset of options.presets ?? builtInPresets) {
    const entry = preset.emailDomains.find((candidate) => candidate.domain === domain);
    if (entry) return { preset, domain, parameters: { ...entry.parameters } };
  }
  return undefined;
}
