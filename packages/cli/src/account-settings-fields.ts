/**
 * What each field of the CLI's stored settings may hold, and the check of a hand-edited account
 * file against it: a wrong field is named, its value never shown (it may be a secret).
 *
 * @module
 */
import type { Flow } from '@oauth-authorizer/presets';
import type { ClientSecretSource } from './account-settings.js';

/** A plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The flows and secret sources an account file may name (the types' values, for a hand-edited file). */
export const FLOW_NAMES = ['code', 'device', 'client_credentials'] as const satisfies readonly Flow[];
export const SECRET_SOURCES = [
  'stored',
  'environment',
  'preset',
  'none',
] as const satisfies readonly ClientSecretSource[];

type FieldKind = 'string' | 'strings' | 'string map' | 'boolean' | 'number' | 'object';

/** The optional fields of the settings and of `settings.provider`, by the kind of value they hold. */
export const SETTINGS_FIELDS: Readonly<Record<string, FieldKind>> = {
  errorsOf: 'string',
  clientId: 'string',
  clientSecretValue: 'string',
  clientAuth: 'string',
  scopes: 'strings',
  scopeSet: 'string',
  redirectUrl: 'string',
  issuer: 'string',
  authorizationUrl: 'string',
  deviceAuthorizationUrl: 'string',
  tokenUrl: 'string',
  revocationUrl: 'string',
  parameters: 'string map',
  authorizationParams: 'string map',
  loginHint: 'string',
  mail: 'object',
};
export const PROVIDER_FIELDS: Readonly<Record<string, FieldKind>> = {
  issuer: 'string',
  authorizationUrl: 'string',
  deviceAuthorizationUrl: 'string',
  tokenUrl: 'string',
  revocationUrl: 'string',
  clientAuth: 'string',
  scopes: 'strings',
  authorizationParams: 'string map',
  tokenHeaders: 'string map',
  issuerInAuthorizationResponse: 'boolean',
  tokenTypes: 'strings',
  timeout: 'number',
  maxResponseSize: 'number',
  dangerouslyAllowInsecureHttp: 'boolean',
};

function isKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'string map':
      return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isRecord(value);
  }
}

/** What a value is, for a message that must not show it (it may be a secret). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Each present field of `fields` must hold its kind of value: a hand-edited file names the field. */
export function checkFields(
  values: Record<string, unknown>,
  fields: Readonly<Record<string, FieldKind>>,
  prefix: string,
  invalid: (problem: string) => Error,
): void {
  for (const [field, kind] of Object.entries(fields)) {
    const value = values[field];
    if (value !== undefined && !isKind(value, kind))
      throw invalid(`"${prefix}${field}" must be ${KIND_WORDS[kind]}, got ${describe(value)}`);
  }
}

const KIND_WORDS: Readonly<Record<FieldKind, string>> = {
  string: 'a string',
  strings: 'a list of strings',
  'string map': 'an object of strings',
  boolean: 'true or false',
  number: 'a number',
  object: 'an object',
};
