import { describe, listNames } from './checks.js';
import { PRESET_INVALID_INPUT, PresetError } from './errors.js';
import type { Preset } from './preset.js';

/**
 * The parameter values a provider's redirect names, by the preset's `redirectParameters`: Zoho
 * adds `location=eu` (and `accounts-server=https://accounts.zoho.eu`) to the redirect of a
 * multi-DC account, and the code must be exchanged at that data centre's token endpoint. Resolve
 * the preset again with these parameters before the exchange.
 *
 * Only a value among the parameter's `choices` is taken, so the redirect picks one of the
 * preset's own token endpoints and never a URL of its own: `accounts-server` is not followed,
 * since the code and the client secret would go wherever it points.
 *
 * @param preset The preset the authorization ran with.
 * @param redirect The redirect URL the browser came back with, or its query parameters.
 * @returns The implied parameter values; empty when the redirect names none.
 * @throws {PresetError} `PRESET_INVALID_INPUT` when the redirect names a value that is not a choice.
 * @example
 * ```ts
 * const implied = parametersFromRedirect(zoho, 'http://127.0.0.1:18473/callback?code=…&location=eu');
 * // { dataCenter: 'eu' }
 * const { provider } = resolvePreset(zoho, { ...input, parameters: { ...input.parameters, ...implied } });
 * ```
 */
export function parametersFromRedirect(
  preset: Preset,
  redirect: string | URL | URLSearchParams,
): Record<string, string> {
  const query =
    redirect instanceof URLSearchParams
      ? redirect
      : new URL(typeof redirect === 'string' ? redirect : redirect.href).searchParams;
  const implied: Record<string, string> = {};
  for (const [key, name] of Object.entries(preset.redirectParameters)) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    const choices = preset.parameters[name]?.choices ?? {};
    if (!Object.hasOwn(choices, value)) {
      throw new PresetError(
        PRESET_INVALID_INPUT,
        `preset "${preset.id}": the redirect's "${key}" must be one of ${listNames(Object.keys(choices))}, got ${describe(value)}`,
        { presetId: preset.id, fields: [`parameters.${name}`] },
      );
    }
    implied[name] = value;
  }
  return implied;
}
