import type { ClientAuthMethod, ProviderConfig, StoredAccount } from '@oauth-authorizer/core';
import type { Flow } from '@oauth-authorizer/presets';
import { CLI_ACCOUNT_SETTINGS_INVALID, CLI_CLIENT_SECRET_MISSING, cliError, shellQuote } from './errors.js';

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
}

function invalid(account: string, problem: string): Error {
  return cliError(
    CLI_ACCOUNT_SETTINGS_INVALID,
    `the settings of account "${account}" cannot be used: ${problem}`,
    {
      hint: `authorize it again: oauth-authorizer authorize ${shellQuote(account)} --preset <preset> …`,
    },
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the CLI's settings from a stored account, checking the fields the CLI relies on.
 *
 * @throws {AuthorizerError} `CLI_ACCOUNT_SETTINGS_INVALID` naming the problem (never a value).
 *
 * @example
 * ```ts
 * const settings = readAccountSettings(await store.get('me@example.com'));
 * console.log(settings.preset, settings.flow);
 * ```
 */
export function readAccountSettings(record: StoredAccount): AccountSettings {
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
  const provider = settings.provider;
  if (!isRecord(provider) || typeof provider.clientId !== 'string')
    throw invalid(record.account, '"provider.clientId" is missing');
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
