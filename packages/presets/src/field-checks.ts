/**
 * The checks of definePreset for one field at a time: strings, parameters, scopes, flows,
 * string records (authorization parameters, headers, redirect parameters), warnings and hooks.
 * Each records what is wrong in the shared `Problems` and returns the valid part.
 *
 * @module
 */
import { describe, isRecord, listNames, SCOPE_TOKEN } from './checks.js';
import {
  FLOWS,
  type Flow,
  type PresetHooks,
  type PresetParameter,
  type PresetWarning,
  type ScopeSets,
} from './preset.js';
import { PARAMETER_NAME, SCOPE_SET_NAME } from './preset-fields.js';
import type { Problems } from './problems.js';
import { PROVIDER_ERROR_TABLES } from './provider-errors/tables.js';

export function isFlow(value: unknown): value is Flow {
  return typeof value === 'string' && (FLOWS as readonly string[]).includes(value);
}

export function optionalString(
  input: Record<string, unknown>,
  field: string,
  problems: Problems,
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.add(field, `must be a non-empty string, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function checkParameters(value: unknown, problems: Problems): Record<string, PresetParameter> {
  const result: Record<string, PresetParameter> = {};
  if (value === undefined) return result;
  if (!isRecord(value)) {
    problems.add('parameters', `must be an object of parameter definitions, got ${describe(value)}`);
    return result;
  }
  for (const [name, definition] of Object.entries(value)) {
    const field = `parameters.${name}`;
    if (!PARAMETER_NAME.test(name)) {
      problems.add(field, 'is not a valid parameter name (a letter, then letters and digits)');
      continue;
    }
    if (!isRecord(definition)) {
      problems.add(field, `must be an object with a "description", got ${describe(definition)}`);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!['description', 'default', 'pattern', 'choices'].includes(key))
        problems.add(`${field}.${key}`, 'is not a parameter field');
    }
    const description = definition.description;
    if (typeof description !== 'string' || description.trim() === '')
      problems.add(`${field}.description`, `must be a non-empty string, got ${describe(description)}`);
    let pattern: RegExp | undefined;
    if (definition.pattern !== undefined) {
      if (typeof definition.pattern !== 'string') {
        problems.add(
          `${field}.pattern`,
          `must be a regular expression source, got ${describe(definition.pattern)}`,
        );
      } else {
        try {
          pattern = new RegExp(definition.pattern, 'u');
        } catch (error) {
          problems.add(`${field}.pattern`, `is not a valid regular expression: ${(error as Error).message}`);
        }
      }
    }
    let choices: Record<string, string> | undefined;
    const rawChoices = definition.choices;
    if (rawChoices !== undefined) {
      if (
        Array.isArray(rawChoices) &&
        rawChoices.length > 0 &&
        rawChoices.every((c) => typeof c === 'string')
      ) {
        choices = Object.fromEntries((rawChoices as string[]).map((choice) => [choice, choice]));
      } else if (
        isRecord(rawChoices) &&
        Object.keys(rawChoices).length > 0 &&
        Object.values(rawChoices).every((c) => typeof c === 'string')
      ) {
        choices = { ...(rawChoices as Record<string, string>) };
      } else {
        problems.add(
          `${field}.choices`,
          'must be a non-empty array of strings or an object mapping each choice to a string',
        );
      }
      if (choices && pattern) problems.add(`${field}.pattern`, 'cannot be combined with "choices"');
    }
    const fallback = definition.default;
    if (fallback !== undefined) {
      if (typeof fallback !== 'string') {
        problems.add(`${field}.default`, `must be a string, got ${describe(fallback)}`);
      } else if (choices && !Object.hasOwn(choices, fallback)) {
        problems.add(`${field}.default`, `must be one of the choices, got ${describe(fallback)}`);
      } else if (pattern && !pattern.test(fallback)) {
        problems.add(`${field}.default`, `does not match the parameter's pattern, got ${describe(fallback)}`);
      }
    }
    result[name] = {
      description: String(description),
      ...(typeof fallback === 'string' && { default: fallback }),
      ...(typeof definition.pattern === 'string' && { pattern: definition.pattern }),
      ...(choices && { choices }),
    };
  }
  return result;
}

export function checkStringRecord(
  field: string,
  value: unknown,
  problems: Problems,
  checkKey: (key: string) => string | undefined,
): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add(field, `must be an object of strings, got ${describe(value)}`);
    return {};
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    const problem = checkKey(key);
    if (problem) problems.add(`${field}.${key}`, problem);
    else if (typeof entry !== 'string')
      problems.add(`${field}.${key}`, `must be a string, got ${describe(entry)}`);
    else result[key] = entry;
  }
  return result;
}

export function checkScopeList(field: string, value: unknown, problems: Problems): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(field, `must be an array of scopes, got ${describe(value)}`);
    return undefined;
  }
  const bad = value.filter((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope));
  if (bad.length > 0) {
    problems.add(
      field,
      `has a scope that is empty or contains a space, a quote or a backslash: ${describe(bad[0])}`,
    );
    return undefined;
  }
  return [...new Set(value as string[])];
}

export function checkScopes(value: unknown, problems: Problems): ScopeSets {
  if (value === undefined) return { default: [] };
  if (Array.isArray(value)) return { default: checkScopeList('scopes', value, problems) ?? [] };
  if (!isRecord(value)) {
    problems.add(
      'scopes',
      `must be an array of scopes or an object of named scope sets, got ${describe(value)}`,
    );
    return { default: [] };
  }
  if (!Object.hasOwn(value, 'default'))
    problems.add('scopes.default', 'is required when "scopes" is an object');
  const sets: Record<string, string[]> = { default: [] };
  for (const [name, list] of Object.entries(value)) {
    if (!SCOPE_SET_NAME.test(name)) {
      problems.add(
        `scopes.${name}`,
        'is not a valid scope set name (a letter, then letters, digits, "-" or "_")',
      );
      continue;
    }
    const scopes = checkScopeList(`scopes.${name}`, list, problems);
    if (scopes) sets[name] = scopes;
  }
  return sets as unknown as ScopeSets;
}

export function checkFlowList(
  field: string,
  value: unknown,
  problems: Problems,
  allowEmpty: boolean,
): Flow[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    problems.add(
      field,
      `must be a${allowEmpty ? 'n' : ' non-empty'} array of flows (${listNames(FLOWS)}), got ${describe(value)}`,
    );
    return [];
  }
  const bad = value.filter((flow) => !isFlow(flow));
  if (bad.length > 0) {
    problems.add(field, `has an unknown flow ${describe(bad[0])}; flows are ${listNames(FLOWS)}`);
    return [];
  }
  if (new Set(value).size !== value.length) problems.add(field, 'lists a flow twice');
  return [...new Set(value as Flow[])];
}

export function checkWarnings(value: unknown, problems: Problems): PresetWarning[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('warnings', `must be an array, got ${describe(value)}`);
    return [];
  }
  const warnings: PresetWarning[] = [];
  value.forEach((entry, index) => {
    const field = `warnings.${index}`;
    if (typeof entry === 'string' && entry.trim() !== '') {
      warnings.push({ message: entry });
      return;
    }
    if (!isRecord(entry) || typeof entry.message !== 'string' || entry.message.trim() === '') {
      problems.add(
        field,
        'must be a message, or an object with a "message" and optional "flows" and "scopes"',
      );
      return;
    }
    for (const key of Object.keys(entry)) {
      if (!['message', 'flows', 'scopes'].includes(key))
        problems.add(`${field}.${key}`, 'is not a warning field');
    }
    const flows =
      entry.flows === undefined ? undefined : checkFlowList(`${field}.flows`, entry.flows, problems, false);
    const scopes =
      entry.scopes === undefined ? undefined : checkScopeList(`${field}.scopes`, entry.scopes, problems);
    warnings.push({ message: entry.message, ...(flows && { flows }), ...(scopes && { scopes }) });
  });
  return warnings;
}

export function checkHooks(value: unknown, problems: Problems): PresetHooks {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add('hooks', `must be an object of functions, got ${describe(value)}`);
    return {};
  }
  for (const [name, hook] of Object.entries(value)) {
    if (name !== 'validateRequest')
      problems.add(`hooks.${name}`, 'is not a hook; the hook is "validateRequest"');
    else if (typeof hook !== 'function')
      problems.add(`hooks.${name}`, `must be a function, got ${describe(hook)}`);
  }
  return typeof value.validateRequest === 'function'
    ? { validateRequest: value.validateRequest as NonNullable<PresetHooks['validateRequest']> }
    : {};
}

export function checkRedirectParameters(
  value: unknown,
  flows: readonly Flow[],
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): Record<string, string> {
  if (value === undefined) return {};
  const mapping = checkStringRecord('redirectParameters', value, problems, (key) =>
    ['code', 'state', 'error', 'error_description', 'error_uri', 'iss'].includes(key)
      ? 'is a parameter of the OAuth redirect itself'
      : key === ''
        ? 'must be a non-empty name'
        : undefined,
  );
  for (const [key, name] of Object.entries(mapping)) {
    // Only a parameter with choices: a value from the redirect must never become free text in a URL.
    if (!parameters[name]?.choices)
      problems.add(
        `redirectParameters.${key}`,
        `must name a parameter with "choices", got ${describe(name)}`,
      );
  }
  if (Object.keys(mapping).length > 0 && flows.length > 0 && !flows.includes('code'))
    problems.add('redirectParameters', 'are set but "flows" does not include "code"');
  return mapping;
}

/** `errorsOf` must name a provider that has an error table. */
export function checkErrorsOf(input: Record<string, unknown>, problems: Problems): string | undefined {
  const value = input.errorsOf;
  if (value === undefined) return undefined;
  if (typeof value === 'string' && PROVIDER_ERROR_TABLES.includes(value)) return value;
  problems.add(
    'errorsOf',
    `must name a provider whose errors are explained (${listNames(PROVIDER_ERROR_TABLES)}), got ${describe(value)}`,
  );
  return undefined;
}
