/**
 * The account an example works for, from environment variables: the token store that
 * `oauth-authorizer authorize` wrote, and the preset that says where tokens are refreshed and where
 * the mail servers are. Every example imports it from here (`@oauth-authorizer/example-support`);
 * a program copied out of an example takes this file along with its `main.ts`.
 *
 * @module
 */
import { resolve } from 'node:path';
import {
  AuthorizerError,
  defaultAccountsDirectory,
  defaultHomeDirectory,
  FileTokenStore,
  OAUTH_AUTHORIZATION_REQUIRED,
  type StoredAccount,
  TokenManager,
} from '@oauth-authorizer/core';
import { loadPreset, type PresetInput, type ResolvedMail, resolvePreset } from '@oauth-authorizer/presets';

/** A required environment variable is not set (or is empty). */
export const SETTING_MISSING = 'EXAMPLE_SETTING_MISSING';
/** An environment variable holds a value the example cannot use. */
export const SETTING_INVALID = 'EXAMPLE_SETTING_INVALID';

/**
 * Environment variables, as `process.env` holds them.
 *
 * @example
 * ```ts
 * const env: Environment = { ACCOUNT: 'me@example.com', PRESET: 'google' };
 * ```
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * An account ready to use: its token manager and its provider's mail servers.
 *
 * @example
 * ```ts
 * const account: ExampleAccount = await accountFromEnvironment(process.env);
 * const smtp = account.mail?.smtp;
 * ```
 */
export interface ExampleAccount {
  /** The account name, as given to `oauth-authorizer authorize` (usually the e-mail address). */
  name: string;
  /** Hands out valid access tokens, refreshing them in the CLI's own token store. */
  manager: TokenManager;
  /** The preset's mail servers; `undefined` when the preset knows none. */
  mail: ResolvedMail | undefined;
  /** The id of the preset in use (`google`, or the id inside a preset file). */
  presetId: string;
}

/**
 * The value of an environment variable, trimmed; `undefined` when it is unset or blank.
 *
 * @example
 * ```ts
 * const mailbox = optionalSetting(process.env, 'MAILBOX') ?? 'INBOX';
 * ```
 */
export function optionalSetting(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The value of an environment variable that must be set.
 *
 * @param what What the variable holds, for the error message.
 * @throws {AuthorizerError} `EXAMPLE_SETTING_MISSING` naming the variable.
 * @example
 * ```ts
 * const account = requiredSetting(process.env, 'ACCOUNT', 'the account to use');
 * ```
 */
export function requiredSetting(env: Environment, name: string, what: string): string {
  const value = optionalSetting(env, name);
  if (value === undefined) {
    throw new AuthorizerError(SETTING_MISSING, `${name} is not set: it must hold ${what}`, {
      hint: `set ${name} in the environment`,
    });
  }
  return value;
}

/**
 * A whole number from 1 to `max` held by an environment variable, or `fallback` when it is unset.
 *
 * @throws {AuthorizerError} `EXAMPLE_SETTING_INVALID` for anything else.
 * @example
 * ```ts
 * const count = countSetting(process.env, 'COUNT', 10, 1000);
 * ```
 */
export function countSetting(env: Environment, name: string, fallback: number, max: number): number {
  const value = optionalSetting(env, name);
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > max) {
    throw new AuthorizerError(
      SETTING_INVALID,
      `${name} must be a whole number from 1 to ${max}, got "${value.slice(0, 40)}"`,
    );
  }
  return count;
}

/**
 * The directory where `oauth-authorizer` keeps its state: core's rule, the CLI's
 * (`defaultHomeDirectory`): `$OAUTH_AUTHORIZER_HOME`, else `$XDG_CONFIG_HOME/oauth-authorizer`, else
 * the platform's configuration directory (`~/.config/oauth-authorizer` on Linux).
 *
 * @example
 * ```ts
 * oauthAuthorizerHome({ OAUTH_AUTHORIZER_HOME: '/tmp/oa' }); // '/tmp/oa'
 * ```
 */
export function oauthAuthorizerHome(env: Environment, platform: string = process.platform): string {
  return defaultHomeDirectory(env, platform);
}

/** The endpoints the CLI saves for an account when the user gave them (the `custom` preset). */
const SAVED_ENDPOINTS = [
  'issuer',
  'authorizationUrl',
  'deviceAuthorizationUrl',
  'tokenUrl',
  'revocationUrl',
] as const;
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** What `oauth-authorizer authorize` saved with the account and this example can reuse. */
interface SavedSettings {
  /** The preset as the user named it: a built-in id, a package name, or an absolute file path. */
  preset?: string;
  /** The user's own values for the preset, as `resolvePreset()` takes them. */
  input: PresetInput;
}

/**
 * Reads the CLI's saved settings defensively: each field only when it has the expected type, so
 * an account written by another program simply has none.
 */
function savedSettings(record: StoredAccount): SavedSettings {
  const settings = record.settings ?? {};
  const text = (field: string) => {
    const value = settings[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const input: PresetInput = { clientId: text('clientId') };
  // The CLI keeps the secret in the account file only when the user asked it to.
  if (['stored', 'preset'].includes(text('clientSecret') ?? ''))
    input.clientSecret = text('clientSecretValue');
  const flow = text('flow');
  if (flow === 'code' || flow === 'device') input.flow = flow;
  const clientAuth = CLIENT_AUTH_METHODS.find((method) => method === text('clientAuth'));
  if (clientAuth) input.clientAuth = clientAuth;
  for (const field of SAVED_ENDPOINTS) input[field] = text(field);
  const parameters = settings.parameters;
  if (typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters)) {
    input.parameters = Object.fromEntries(
      Object.entries(parameters).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  }
  const preset = text('preset');
  return preset === undefined ? { input } : { preset, input };
}

/**
 * Builds the account from the environment:
 *
 * - `ACCOUNT` (required): the account name given to `oauth-authorizer authorize`.
 * - `OAUTH_AUTHORIZER_HOME`: the CLI's home; tokens are in its `accounts/` directory.
 * - `PRESET`: a built-in preset id, a preset package name, or the path of a preset file.
 * - `CLIENT_ID`, `OAUTH_AUTHORIZER_CLIENT_SECRET`: the OAuth client, when the preset needs them.
 *
 * `PRESET`, `CLIENT_ID` and the secret default to what the CLI saved with the account, as do the
 * flow, the preset's parameters (Microsoft's `tenant`) and the endpoints given to the `custom`
 * preset; the variables win when set, and a `PRESET` other than the saved one uses nothing saved.
 * Refreshed tokens are written back to the same store, so the CLI and this program never hold
 * different refresh tokens.
 *
 * @throws {AuthorizerError} `EXAMPLE_SETTING_MISSING` (no `ACCOUNT`, or no preset anywhere),
 *   `OAUTH_AUTHORIZATION_REQUIRED` (no such account in the store), the store's errors, and the
 *   presets package's `PRESET_*` errors (unknown preset, invalid preset file, missing client ID).
 * @example
 * ```ts
 * const { name, manager, mail } = await accountFromEnvironment(process.env);
 * const token = await manager.getAccessToken();
 * ```
 */
export async function accountFromEnvironment(env: Environment): Promise<ExampleAccount> {
  const name = requiredSetting(env, 'ACCOUNT', 'the account name given to `oauth-authorizer authorize`');
  const directory = defaultAccountsDirectory({ home: oauthAuthorizerHome(env) });
  const store = new FileTokenStore({ directory });
  const record = await store.get(name);
  if (!record) {
    throw new AuthorizerError(
      OAUTH_AUTHORIZATION_REQUIRED,
      `account "${name}" has no tokens in ${directory}`,
      {
        hint: `run: oauth-authorizer authorize ${name} --preset <preset> (or set OAUTH_AUTHORIZER_HOME to the CLI's home)`,
      },
    );
  }
  const givenPreset = optionalSetting(env, 'PRESET');
  // Settings saved for one preset mean nothing for another (parameters, flows, clients differ).
  // The CLI saves a preset file by its absolute path; a relative PRESET naming it is the same preset.
  const samePreset =
    givenPreset === undefined ||
    [givenPreset, resolve(givenPreset)].includes(String(record.settings?.preset));
  const saved: SavedSettings = samePreset ? savedSettings(record) : { input: {} };
  const presetName = givenPreset ?? saved.preset;
  if (presetName === undefined) {
    throw new AuthorizerError(
      SETTING_MISSING,
      `PRESET is not set and account "${name}" has no saved preset`,
      { hint: 'set PRESET to a built-in preset id (google, microsoft, …) or the path of a preset JSON file' },
    );
  }
  const preset = await loadPreset(presetName);
  const { provider, mail } = resolvePreset(preset, {
    ...saved.input,
    clientId: optionalSetting(env, 'CLIENT_ID') ?? saved.input.clientId,
    clientSecret: optionalSetting(env, 'OAUTH_AUTHORIZER_CLIENT_SECRET') ?? saved.input.clientSecret,
  });
  const manager = new TokenManager({ account: name, store, provider });
  return { name, manager, mail, presetId: preset.id };
}
