import type { ClientAuthMethod, ProviderConfig, StoredAccount } from '@oauth-authorizer/core';
import type { Flow, Preset, PresetInput, ResolvedPreset } from '@oauth-authorizer/presets';
import {
  checkFields,
  FLOW_NAMES,
  isRecord,
  PROVIDER_FIELDS,
  SECRET_SOURCES,
  SETTINGS_FIELDS,
} from './account-settings-fields.js';
import { splitList } from './command-line.js';
import { CLI_ACCOUNT_SETTINGS_INVALID, CLI_CLIENT_SECRET_MISSING, cliError, shellQuote } from './errors.js';
import type { AccountStoreKind } from './keyring-store.js';

/** The environment variable a client secret is read from when it is not stored. */
export const CLIENT_SECRET_VARIABLE = 'OAUTH_AUTHORIZER_CLIENT_SECRET';

/** The version of {@link AccountSettings} this CLI writes and reads. */
export const SETTINGS_VERSION = 1;

/**
 * Where an account's client secret comes from: `stored` in the account file (the user chose
 * so), read from `OAUTH_AUTHORIZER_CLIENT_SECRET` each time (`environment`), published by the
 * preset itself (`preset`, public), or `none` (a public client).
 */
export type ClientSecretSource = 'stored' | 'environment' | 'preset' | 'none';

/** The mail servers the preset named, kept for `sasl` and for people reading `show`. */
export interface StoredMailServers {
  imap?: { host: string; port: number; tls: string };
  smtp?: { host: string; port: number; tls: string };
  pop3?: { host: string; port: number; tls: string };
  sasl: string;
}

/**
 * What the CLI keeps with an account, in the free-form `settings` of core's `StoredAccount`. The
 * user's own choices (`clientId`, `scopes`, endpoints, …) are kept as given, so `authorize` on the
 * account can reuse them; `provider` is the resolved configuration (endpoints, client, headers,
 * without the secret), so `token`, `refresh` and `revoke` work without loading the preset again.
 */
export interface AccountSettings {
  version: typeof SETTINGS_VERSION;
  /** The preset as the user named it: a built-in id, a package name, or an absolute file path. */
  preset: string;
  /** The preset's own id (e.g. `google`, or the id inside a preset file). */
  presetId: string;
  /**
   * The provider whose documented errors explain the account's, when the preset names one in
   * `errorsOf` (a preset file for Microsoft's national clouds says `microsoft`). Absent: `presetId`.
   */
  errorsOf?: string;
  /** How the account was authorized; `client_credentials` also gets every later token that way. */
  flow: Flow;
  /** The client ID the user gave (absent when the preset fixes it). */
  clientId?: string;
  clientSecret: ClientSecretSource;
  /** The client secret itself, only when `clientSecret` is `stored` or `preset`. */
  clientSecretValue?: string;
  clientAuth?: ClientAuthMethod;
  /** The scopes the user chose (absent: the preset's default set). */
  scopes?: string[];
  /** The preset's named scope set the user chose. */
  scopeSet?: string;
  redirectUrl?: string;
  issuer?: string;
  authorizationUrl?: string;
  deviceAuthorizationUrl?: string;
  tokenUrl?: string;
  revocationUrl?: string;
  /** Values of the preset's parameters (`tenant`, …). */
  parameters?: Record<string, string>;
  /** Extra authorization parameters (`--param`). */
  authorizationParams?: Record<string, string>;
  loginHint?: string;
  /** The resolved provider configuration, without the client secret. */
  provider: Omit<ProviderConfig, 'clientSecret' | 'http'>;
  mail?: StoredMailServers;
  /**
   * Where the refresh token and the stored client secret live: the account file (absent, or
   * `file`) or the OS keyring (`keyring`; see `KeyringTokenStore`).
   */
  store?: AccountStoreKind;
}

function invalidSettings(account: string, problem: string, file?: string): Error {
  return cliError(
    CLI_ACCOUNT_SETTINGS_INVALID,
    `the settings of account "${account}"${file === undefined ? '' : ` (${file})`} cannot be used: ${problem}`,
    {
      hint: `authorize it again: oauth-authorizer authorize ${shellQuote(account)} --preset <preset> …`,
    },
  );
}

/**
 * Reads the CLI's settings from a stored account, checking every field the CLI reads: a
 * hand-edited file gets an error that names the file (when given) and the field.
 *
 * @throws {AuthorizerError} `CLI_ACCOUNT_SETTINGS_INVALID` naming the problem (never a value).
 *
 * @example
 * ```ts
 * const settings = readAccountSettings(await store.get('me@example.com'));
 * console.log(settings.preset, settings.flow);
 * ```
 */
export function readAccountSettings(record: StoredAccount, file?: string): AccountSettings {
  const invalid = (account: string, problem: string) => invalidSettings(account, problem, file);
  const settings = record.settings;
  if (!isRecord(settings))
    throw invalid(record.account, 'it has no settings (was it written by another program?)');
  if (settings.version !== SETTINGS_VERSION)
    throw invalid(
      record.account,
      `settings version ${JSON.stringify(settings.version)} is not ${SETTINGS_VERSION}`,
    );
  for (const field of ['preset', 'presetId', 'flow', 'clientSecret'] as const) {
    if (typeof settings[field] !== 'string') throw invalid(record.account, `"${field}" is missing`);
  }
  if (!(FLOW_NAMES as readonly unknown[]).includes(settings.flow))
    throw invalid(record.account, `"flow" must be one of ${FLOW_NAMES.join(', ')}`);
  if (!(SECRET_SOURCES as readonly unknown[]).includes(settings.clientSecret))
    throw invalid(record.account, `"clientSecret" must be one of ${SECRET_SOURCES.join(', ')}`);
  if (settings.store !== undefined && settings.store !== 'file' && settings.store !== 'keyring')
    throw invalid(record.account, '"store" is neither "file" nor "keyring"');
  const provider = settings.provider;
  if (!isRecord(provider) || typeof provider.clientId !== 'string')
    throw invalid(record.account, '"provider.clientId" is missing');
  const fieldError = (problem: string) => invalid(record.account, problem);
  checkFields(settings, SETTINGS_FIELDS, '', fieldError);
  checkFields(provider, PROVIDER_FIELDS, 'provider.', fieldError);
  if (
    ['stored', 'preset'].includes(settings.clientSecret as string) &&
    typeof settings.clientSecretValue !== 'string'
  )
    throw invalid(record.account, 'the stored client secret is missing');
  return settings as unknown as AccountSettings;
}

/**
 * The client secret of an account: the stored one, the preset's, or
 * `$OAUTH_AUTHORIZER_CLIENT_SECRET`; `undefined` for a public client.
 *
 * @throws {AuthorizerError} `CLI_CLIENT_SECRET_MISSING` when the secret should come from the
 *   environment and does not.
 *
 * @example
 * ```ts
 * const secret = clientSecretOf('work', settings, process.env); // undefined for a public client
 * ```
 */
export function clientSecretOf(
  account: string,
  settings: AccountSettings,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  switch (settings.clientSecret) {
    case 'stored':
    case 'preset':
      return settings.clientSecretValue;
    case 'environment': {
      const secret = env[CLIENT_SECRET_VARIABLE];
      if (secret) return secret;
      throw cliError(
        CLI_CLIENT_SECRET_MISSING,
        `account "${account}" needs its client secret, and ${CLIENT_SECRET_VARIABLE} is not set`,
        {
          hint: `set ${CLIENT_SECRET_VARIABLE}, or store the secret with: oauth-authorizer authorize ${shellQuote(account)} --client-secret <secret> --save-client-secret`,
        },
      );
    }
    default:
      return undefined;
  }
}

/**
 * Core's provider configuration for a stored account, with its client secret.
 *
 * @throws {AuthorizerError} `CLI_CLIENT_SECRET_MISSING` (see {@link clientSecretOf}).
 *
 * @example
 * ```ts
 * const tokens = await refreshTokens(providerOf(account, settings, process.env), refreshToken);
 * ```
 */
export function providerOf(
  account: string,
  settings: AccountSettings,
  env: Readonly<Record<string, string | undefined>>,
): ProviderConfig {
  const secret = clientSecretOf(account, settings, env);
  return { ...settings.provider, ...(secret !== undefined && { clientSecret: secret }) };
}

/** The `authorize` flags that make up an account's settings, as `parseArgs` reads them. */
export interface AuthorizeFlagValues {
  'client-id'?: string | undefined;
  'client-secret'?: string | undefined;
  scope?: string[] | undefined;
  'scope-set'?: string | undefined;
  flow?: string | undefined;
  'redirect-url'?: string | undefined;
  issuer?: string | undefined;
  'auth-url'?: string | undefined;
  'device-url'?: string | undefined;
  'token-url'?: string | undefined;
  'revocation-url'?: string | undefined;
  tenant?: string | undefined;
  'login-hint'?: string | undefined;
}

/** Where the client secret of this run came from. */
export type SecretOrigin = 'flag' | 'environment' | 'stored' | 'prompt' | undefined;

/** The parts of the user's input that are kept with the account. */
export interface UserChoices {
  input: PresetInput;
  secretSource: SecretOrigin;
  loginHint: string | undefined;
}

/**
 * The preset input of an `authorize` run: the flags given now, over the settings stored with the
 * account (`reuse`). `--param` names a preset parameter when the preset has one of that name, else
 * it is an extra authorization parameter.
 *
 * @example
 * ```ts
 * const { input, secretSource } = choicesFromFlags(values, {}, preset, undefined, undefined, process.env);
 * ```
 */
export function choicesFromFlags(
  values: AuthorizeFlagValues,
  extraPairs: Record<string, string>,
  preset: Preset,
  reuse: AccountSettings | undefined,
  clientAuth: ClientAuthMethod | undefined,
  env: Readonly<Record<string, string | undefined>>,
): UserChoices {
  const parameters: Record<string, string> = { ...reuse?.parameters };
  const authorizationParams: Record<string, string> = { ...reuse?.authorizationParams };
  for (const [key, value] of Object.entries(extraPairs)) {
    if (Object.hasOwn(preset.parameters, key)) parameters[key] = value;
    else authorizationParams[key] = value;
  }
  if (values.tenant !== undefined) parameters.tenant = values.tenant;

  let clientSecret: string | undefined;
  let secretSource: SecretOrigin;
  const fromEnvironment = env[CLIENT_SECRET_VARIABLE];
  if (values['client-secret'] !== undefined) {
    clientSecret = values['client-secret'];
    secretSource = 'flag';
  } else if (reuse?.clientSecret === 'stored' && reuse.clientSecretValue !== undefined) {
    clientSecret = reuse.clientSecretValue;
    secretSource = 'stored';
  } else if (fromEnvironment) {
    clientSecret = fromEnvironment;
    secretSource = 'environment';
  }
  const scopes = splitList(values.scope);
  const input: PresetInput = {
    clientId: values['client-id'] ?? reuse?.clientId,
    clientSecret,
    clientAuth: clientAuth ?? reuse?.clientAuth,
    flow: (values.flow as Flow | undefined) ?? reuse?.flow,
    scopes: scopes ?? (values['scope-set'] === undefined ? reuse?.scopes : undefined),
    scopeSet: values['scope-set'] ?? (scopes === undefined ? reuse?.scopeSet : undefined),
    redirectUrl: values['redirect-url'] ?? reuse?.redirectUrl,
    parameters,
    issuer: values.issuer ?? reuse?.issuer,
    authorizationUrl: values['auth-url'] ?? reuse?.authorizationUrl,
    deviceAuthorizationUrl: values['device-url'] ?? reuse?.deviceAuthorizationUrl,
    tokenUrl: values['token-url'] ?? reuse?.tokenUrl,
    revocationUrl: values['revocation-url'] ?? reuse?.revocationUrl,
    authorizationParams,
  };
  return { input, secretSource, loginHint: values['login-hint'] ?? reuse?.loginHint };
}

function mailOf(resolved: ResolvedPreset): StoredMailServers | undefined {
  const mail = resolved.mail;
  if (!mail) return undefined;
  return {
    sasl: mail.sasl,
    ...(mail.imap && { imap: { host: mail.imap.host, port: mail.imap.port, tls: mail.imap.tls } }),
    ...(mail.smtp && { smtp: { host: mail.smtp.host, port: mail.smtp.port, tls: mail.smtp.tls } }),
    ...(mail.pop3 && { pop3: { host: mail.pop3.host, port: mail.pop3.port, tls: mail.pop3.tls } }),
  };
}

/** `value` without its `undefined` properties (which `exactOptionalPropertyTypes` keeps apart from absent ones). */
function definedEntries<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/**
 * Where the client secret of a new authorization is kept: `none` without one, `preset` when the
 * preset publishes it, `stored` when the user chose to store it, else `environment`.
 *
 * @example
 * ```ts
 * clientSecretSourceFor(secret, preset, saveSecret); // 'environment'
 * ```
 */
export function clientSecretSourceFor(
  secret: string | undefined,
  preset: Preset,
  saveSecret: boolean,
): ClientSecretSource {
  if (secret === undefined) return 'none';
  if (preset.clientSecret !== undefined) return 'preset';
  return saveSecret ? 'stored' : 'environment';
}

/** What {@link settingsFor} builds the account's settings from. */
export interface NewAuthorization {
  /** The preset as the user named it. */
  spec: string;
  preset: Preset;
  resolved: ResolvedPreset;
  /** The provider configuration after discovery, with the secret (which is dropped here). */
  provider: ProviderConfig;
  input: PresetInput;
  loginHint: string | undefined;
  secretSource: ClientSecretSource;
  /** Where the account's secrets are kept. Default: `file` */
  store?: AccountStoreKind;
}

/**
 * The settings to store with a newly authorized account: the user's choices as given, and the
 * resolved provider configuration without its secret (the secret itself only when it is `stored`
 * or the preset's).
 *
 * @example
 * ```ts
 * await store.set({ account, tokens, settings: settingsFor(authorization) as unknown as Record<string, unknown> });
 * ```
 */
export function settingsFor(authorization: NewAuthorization): AccountSettings {
  const { spec, preset, resolved, provider, input, loginHint, secretSource, store } = authorization;
  const secret = resolved.provider.clientSecret;
  const { clientSecret: _secret, http: _http, ...providerToKeep } = provider;
  const mail = mailOf(resolved);
  return {
    version: SETTINGS_VERSION,
    preset: spec,
    presetId: preset.id,
    ...(preset.errorsOf !== undefined && { errorsOf: preset.errorsOf }),
    flow: resolved.flow,
    clientSecret: secretSource,
    ...(secret !== undefined &&
      (secretSource === 'stored' || secretSource === 'preset') && { clientSecretValue: secret }),
    ...definedEntries({
      clientId: input.clientId,
      clientAuth: input.clientAuth,
      scopes: input.scopes ? [...input.scopes] : undefined,
      scopeSet: input.scopeSet,
      redirectUrl: input.redirectUrl,
      issuer: input.issuer,
      authorizationUrl: input.authorizationUrl,
      deviceAuthorizationUrl: input.deviceAuthorizationUrl,
      tokenUrl: input.tokenUrl,
      revocationUrl: input.revocationUrl,
      loginHint,
    }),
    ...(input.parameters &&
      Object.keys(definedEntries(input.parameters)).length > 0 && {
        parameters: definedEntries(input.parameters) as Record<string, string>,
      }),
    ...(input.authorizationParams &&
      Object.keys(input.authorizationParams).length > 0 && {
        authorizationParams: { ...input.authorizationParams },
      }),
    provider: providerToKeep,
    ...(mail && { mail }),
    ...(store === 'keyring' && { store }),
  };
}
