import { describe, describeUrl, listNames } from './checks.js';
import type { PresetParameter, PresetParameterDefinition } from './preset.js';
import type { Problems } from './problems.js';

/** `{name}`: a parameter placeholder in a URL, an authorization parameter value or a mail host. */
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Where a template is used: URL values are percent-encoded, other values are inserted as they are. */
export type TemplateContext = 'url' | 'text';

/** The parameter names a template refers to, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/** Whether a template has braces that are not a well-formed `{name}` placeholder. */
export function hasStrayBraces(template: string): boolean {
  return /[{}]/.test(template.replace(PLACEHOLDER, ''));
}

/**
 * The text that replaces a parameter's placeholder: a mapped choice verbatim (the preset author
 * wrote it), a free-form value percent-encoded in URLs so that a user's value can never change
 * which host or path a URL points to.
 */
export function substitution(
  parameter: PresetParameterDefinition | undefined,
  value: string,
  context: TemplateContext,
): string {
  const choices = parameter?.choices;
  if (choices && !Array.isArray(choices)) {
    if (Object.hasOwn(choices, value)) return (choices as Readonly<Record<string, string>>)[value] as string;
  }
  return context === 'url' ? encodeURIComponent(value) : value;
}

/** Fills every placeholder of `template` with the parameter values given (user-level values). */
export function fillTemplate(
  template: string,
  parameters: Readonly<Record<string, PresetParameterDefinition>>,
  values: Readonly<Record<string, string>>,
  context: TemplateContext,
): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return value === undefined ? whole : substitution(parameters[name], value, context);
  });
}

/** The user-level values worth trying for a parameter: every choice, else its default or a sample. */
function sampleValuesOf(parameter: PresetParameterDefinition): string[] {
  const { choices } = parameter;
  if (Array.isArray(choices)) return [...choices];
  if (choices) return Object.keys(choices);
  return [parameter.default ?? 'example'];
}

/** Most combinations of parameter values tried when a preset is defined; enough for any real preset. */
const MAX_SAMPLES = 256;

/**
 * Combinations of parameter values to fill a template with when checking, at definition time,
 * that every value a user may choose yields a well-formed URL or host.
 */
export function sampleParameterValues(
  parameters: Readonly<Record<string, PresetParameterDefinition>>,
  names: readonly string[],
): Record<string, string>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const name of names) {
    const parameter = parameters[name];
    if (!parameter) continue;
    const next: Record<string, string>[] = [];
    for (const combination of combinations) {
      for (const value of sampleValuesOf(parameter)) {
        if (next.length >= MAX_SAMPLES) break;
        next.push({ ...combination, [name]: value });
      }
    }
    combinations = next;
  }
  return combinations;
}

/** Checks a template's placeholders and, for every value a user may choose, the filled-in result. */
export function checkTemplate(
  field: string,
  template: string,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
  check: (filled: string) => string | undefined,
  context: 'url' | 'text',
): void {
  if (hasStrayBraces(template)) {
    problems.add(
      field,
      `has a "{" or "}" that is not a {parameter} placeholder: ${context === 'url' ? describeUrl(template) : describe(template)}`,
    );
    return;
  }
  const names = placeholdersOf(template);
  const unknown = names.filter((name) => !Object.hasOwn(parameters, name));
  if (unknown.length > 0) {
    problems.add(
      field,
      `uses the undeclared parameter${unknown.length > 1 ? 's' : ''} ${listNames(unknown)}`,
    );
    return;
  }
  for (const values of sampleParameterValues(parameters, names)) {
    const filled = fillTemplate(template, parameters, values, context);
    const problem = check(filled);
    if (problem) {
      const which = names.length > 0 ? ` (with ${names.map((n) => `${n}=${values[n]}`).join(', ')})` : '';
      problems.add(field, `${problem}${which}`);
      return;
    }
  }
}
