/**
 * The named choices a preset offers — scope sets, and keywords of a parameter such as
 * Microsoft's `tenant` — checked against what the user gave, with errors in flag names and plain
 * words (never a preset's field names or its raw pattern), and a suggestion for a typo.
 *
 * @module
 */
import type { Preset, PresetInput, PresetParameter } from '@oauth-authorizer/presets';
import { usageError } from './errors.js';
import { flagOf } from './preset-wording.js';
import { didYouMean } from './suggestions.js';

function presetLabel(preset: Preset): string {
  return preset.id === 'custom' ? 'the custom preset' : `preset "${preset.id}"`;
}

/**
 * The keywords of a parameter: its choices, or the plain words its pattern accepts as they are
 * (`common`, `organizations`, `consumers` of Microsoft's tenant, beside IDs and domains).
 *
 * @example
 * ```ts
 * parameterKeywords(microsoft.parameters.tenant); // ['common', 'organizations', 'consumers']
 * ```
 */
export function parameterKeywords(parameter: PresetParameter): string[] {
  if (parameter.choices) return Object.keys(parameter.choices);
  const alternatives = /^\^\(\?:(.*)\)\$$/.exec(parameter.pattern ?? '')?.[1];
  return (alternatives ?? '').split('|').filter((word) => /^[A-Za-z][\w-]*$/.test(word));
}

/**
 * Checks the scope set and the parameter values of `input` against the preset before it is
 * resolved: an unknown scope set lists the preset's sets, a parameter value the preset does not
 * accept says what it accepts in the preset's own words; both suggest the closest name.
 *
 * @throws {AuthorizerError} `CLI_USAGE` (exit code 2).
 *
 * @example
 * ```ts
 * checkPresetChoices(microsoft, { scopeSet: 'imapp' }); // throws: … (did you mean "imap"?)
 * ```
 */
export function checkPresetChoices(preset: Preset, input: PresetInput): void {
  const setName = input.scopeSet;
  if (setName !== undefined && !Object.hasOwn(preset.scopes, setName)) {
    const names = Object.keys(preset.scopes);
    throw usageError(
      `authorize: --scope-set "${setName}" is not a scope set of ${presetLabel(preset)}${didYouMean(setName, names)}; its scope sets are ${names.join(', ')}`,
      'authorize',
    );
  }
  for (const [name, value] of Object.entries(input.parameters ?? {})) {
    const parameter = preset.parameters[name];
    if (value === undefined || parameter === undefined) continue;
    const keywords = parameterKeywords(parameter);
    const accepted = parameter.choices
      ? Object.hasOwn(parameter.choices, value)
      : parameter.pattern === undefined || new RegExp(parameter.pattern).test(value);
    if (accepted) continue;
    const typo = didYouMean(value, keywords);
    throw usageError(
      `authorize: ${flagOf(`parameters.${name}`).replace(/=<value>$/, '')} "${value}" is not accepted by ${presetLabel(preset)}${typo}. ${parameter.description.replace(/\.?$/, '.')}`,
      'authorize',
    );
  }
}
