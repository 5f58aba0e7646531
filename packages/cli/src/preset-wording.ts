/**
 * A preset's fields in the words a person at the terminal uses: the flags that give them, and
 * plain descriptions of what a preset fixes. The presets package names fields as its API does
 * (`tokenUrl`, `scopeSet`, `clientAuth`); the CLI shows `--token-url`, `--scope-set`, "Client
 * authentication".
 *
 * @module
 */
import type { ClientAuthMethod } from '@oauth-authorizer/core';
import {
  PRESET_FIXED_FIELD,
  type Preset,
  PresetError,
  type PresetErrorCode,
} from '@oauth-authorizer/presets';
import { CLIENT_SECRET_VARIABLE } from './account-settings.js';

/** How each preset field is given on the command line. */
const FLAG_OF_FIELD: Record<string, string> = {
  clientId: '--client-id',
  clientSecret: `--client-secret (or ${CLIENT_SECRET_VARIABLE})`,
  clientAuth: '--client-auth',
  issuer: '--issuer',
  authorizationUrl: '--auth-url (or --issuer)',
  deviceAuthorizationUrl: '--device-url (or --issuer)',
  tokenUrl: '--token-url (or --issuer)',
  revocationUrl: '--revocation-url',
  redirectUrl: '--redirect-url',
  scopes: '--scope',
  scopeSet: '--scope-set',
  flow: '--flow',
  'parameters.tenant': '--tenant',
};

/**
 * The command-line flag that gives a preset field (`clientId` → `--client-id`).
 *
 * @example
 * ```ts
 * flagOf('parameters.tenant'); // '--tenant'
 * flagOf('parameters.region'); // '--param region=<value>'
 * ```
 */
export function flagOf(field: string): string {
  return (
    FLAG_OF_FIELD[field] ?? (field.startsWith('parameters.') ? `--param ${field.slice(11)}=<value>` : field)
  );
}

/** The flag alone, without the alternatives in brackets (`--token-url`). */
function bareFlagOf(field: string): string {
  return flagOf(field).replace(/ \(.*\)$/, '');
}

const FIELD_LABELS: Record<string, string> = {
  issuer: 'Issuer',
  authorizationUrl: 'Authorization URL',
  deviceAuthorizationUrl: 'Device code URL',
  tokenUrl: 'Token exchange URL',
  revocationUrl: 'Revocation URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  clientAuth: 'Client authentication',
};

const CLIENT_AUTH_WORDS: Record<ClientAuthMethod, string> = {
  client_secret_post: 'the client secret is sent in the request body',
  client_secret_basic: 'the client secret is sent as HTTP Basic credentials',
  none: 'none (a public client)',
};

/** What the authorization parameters presets fix mean (OpenID Connect Core §3.1.2.1, Google). */
const PARAMETER_WORDS: Record<string, string> = {
  'access_type=offline': 'asks for a refresh token',
  'prompt=consent': 'shows the consent page every time, so that a refresh token is issued',
  'prompt=select_account': 'lets you choose the account',
};

/**
 * One line, in plain words, for a field a preset fixes (an entry of `fixedFieldsOf`).
 *
 * @example
 * ```ts
 * describeFixedField(google, 'clientAuth'); // 'Client authentication: the client secret is sent in the request body'
 * describeFixedField(google, 'authorizationParams.access_type'); // 'Sent with the sign-in: access_type=offline (asks for a refresh token)'
 * ```
 */
export function describeFixedField(preset: Preset, field: string): string {
  const [group, key] = field.split('.') as [string, string | undefined];
  if (group === 'authorizationParams' && key) {
    const pair = `${key}=${preset.authorizationParams[key]}`;
    const meaning = PARAMETER_WORDS[pair];
    return `Sent with the sign-in: ${pair}${meaning ? ` (${meaning})` : ''}`;
  }
  if (group === 'tokenHeaders' && key)
    return `Sent to the token endpoint: ${key}: ${preset.tokenHeaders[key]}`;
  if (group === 'clientSecret') return 'Client secret: published by the provider';
  if (group === 'clientAuth' && preset.clientAuth) {
    return `${FIELD_LABELS.clientAuth}: ${CLIENT_AUTH_WORDS[preset.clientAuth] ?? preset.clientAuth}`;
  }
  return `${FIELD_LABELS[group] ?? group}: ${String(preset[group as keyof Preset])}`;
}

/** `"tokenUrl"` (a field, as the presets package quotes it) → `--token-url`. */
function fieldsToFlags(text: string, fields: readonly string[]): string {
  let result = text;
  for (const field of fields) {
    if (!(field in FLAG_OF_FIELD) && !field.startsWith('parameters.')) continue;
    result = result.split(`"${field}"`).join(bareFlagOf(field));
  }
  return result;
}

/**
 * A preset's error with its field names turned into flags: a message such as `"scopeSet" names
 * no scope set` says `--scope-set`, a hint such as `remove tokenUrl from the options` says to
 * leave out `--token-url`. Other errors are returned as they are.
 *
 * @example
 * ```ts
 * try { resolvePreset(preset, input); } catch (error) { throw inFlagNames(error); }
 * ```
 */
export function inFlagNames(error: unknown): unknown {
  if (!(error instanceof PresetError) || error.fields.length === 0) return error;
  const { fields } = error;
  const fixed = error.code === PRESET_FIXED_FIELD;
  // The fixed-field message keeps the preset's field name (what `presets show` lists) and adds the flag.
  const message = fixed
    ? error.message.replace(/"([\w.]+)"/g, (quoted, field: string) =>
        fields.includes(field) ? `${quoted} (${bareFlagOf(field)})` : quoted,
      )
    : fieldsToFlags(error.message, fields);
  const hint = fixed
    ? `leave out ${fields.map(bareFlagOf).join(', ')}, or use --preset custom to give every setting yourself`
    : error.hint === undefined
      ? undefined
      : fieldsToFlags(
          fields.reduce(
            (text, field) => text.replace(new RegExp(`\\b${field}\\b`, 'g'), `"${field}"`),
            error.hint,
          ),
          fields,
        );
  return new PresetError(error.code as PresetErrorCode, message, {
    presetId: error.presetId,
    fields,
    source: error.source,
    ...(hint !== undefined && { hint }),
    cause: error,
  });
}
