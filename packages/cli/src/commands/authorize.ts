import {
  authorizeWithCode,
  authorizeWithDeviceCode,
  type ClientAuthMethod,
  isAuthorizerError,
  type ProviderConfig,
  requestClientCredentials,
  resolveProvider,
  type TokenSet,
} from '@oauth-authorizer/core';
import {
  FLOWS,
  type Flow,
  PRESET_MISSING_FIELDS,
  type Preset,
  type PresetError,
  type PresetInput,
  type ResolvedPreset,
  resolvePreset,
} from '@oauth-authorizer/presets';
import {
  type AccountSettings,
  CLIENT_SECRET_VARIABLE,
  type ClientSecretSource,
  readAccountSettings,
  SETTINGS_VERSION,
  type StoredMailServers,
} from '../account-settings.js';
import { openTokenStore, readRecordForReplacement } from '../account-store.js';
import {
  askMissingFields,
  completeInteractively,
  pickPreset,
  showFixedFields,
} from '../authorization-dialog.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, parsePairs, parseSeconds, requireAccount, splitList } from '../command-line.js';
import {
  CLI_AUTHORIZATION_TIMEOUT,
  CLI_CLIENT_SECRET_MISSING,
  CLI_INTERRUPTED,
  CLI_MISSING_VALUES,
  cliError,
  shellQuote,
  usageError,
} from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { PastedRedirectReceiver } from '../pasted-redirect-receiver.js';
import { loadPresetSpec, normalizePresetSpec } from '../preset-spec.js';
import { Prompter } from '../prompts.js';
import { TerminalUserAgent } from '../terminal-user-agent.js';
import { describeExpiry, isoOrNull } from '../token-status.js';

/** The `--help` text of `oauth-authorizer authorize`, with examples. */
export const help = `Usage: oauth-authorizer authorize <account> [options]

Runs an OAuth2 authorization — the authorization code flow with a browser, or the device code
flow — stores the account, and shows its bearer token, refresh token, expiry and scopes. For
app-only access (a service's own mailbox, e.g. Microsoft 365), --flow client_credentials gets the
token with the client's own credentials instead: no person signs in, and "token" gets a new one
the same way whenever it expires.
Authorizing an existing account again reuses its settings: flags given now override them.

Provider and client:
  --preset <preset>        a built-in id (see "oauth-authorizer presets"), a package
                           (oauth-authorizer-preset-<name>) or a .js/.mjs/.json file (default: custom)
  --client-id <id>         the client (application) ID registered at the provider
  --client-secret <s>      the client secret (or set ${CLIENT_SECRET_VARIABLE})
  --save-client-secret     keep the client secret in the account file (mode 0600); without it,
                           later refreshes read it from ${CLIENT_SECRET_VARIABLE}
  --client-auth <method>   client_secret_basic, client_secret_post or none (custom preset)
  --scope <scope>          a scope to ask for; repeat it, or separate scopes by spaces
  --scope-set <name>       one of the preset's named scope sets (imap, smtp, pop3, …)
  --flow <flow>            code (browser on this machine), device (sign in anywhere with a code),
                           or client_credentials (app-only; needs the client secret)
  --tenant <tenant>        the preset's tenant (Microsoft: common, organizations, consumers, an ID)
  --param <key=value>      a preset parameter, or an extra authorization parameter; repeatable
  --login-hint <user>      pre-fills the sign-in page (default: the account, if it is an address)

Endpoints (custom preset):
  --issuer <url>           discover the endpoints from this issuer
  --auth-url <url>         authorization URL (code flow)
  --device-url <url>       device code URL (device flow)
  --token-url <url>        token exchange URL
  --revocation-url <url>   revocation URL (for "oauth-authorizer revoke")
  --redirect-url <url>     where the code flow's listener waits (default http://127.0.0.1/callback,
                           any free port; give a port, e.g. http://127.0.0.1:8080/callback, if the
                           provider needs an exact match)

Behaviour:
  --no-open                print the URL instead of opening a browser; in the code flow, the
                           address the browser was sent to can then be pasted here
  --timeout <seconds>      give up waiting for the authorization after this long (code flow
                           default 600; device flow default: until the code expires)
  --json                   print {"account","preset","token_type","access_token","refresh_token",
                           "expires_at","scope"}

On a terminal, what is missing is asked for (preset, client ID, secret, scopes, flow). When stdin is
not a terminal, missing values are a usage error (exit code 2) that names them.

Examples:
  oauth-authorizer authorize me@gmail.com --preset google --client-id 1234.apps.googleusercontent.com
  oauth-authorizer authorize work --preset microsoft --tenant organizations --client-id <id> --flow device
  oauth-authorizer authorize acme --preset ./acme.json --client-id my-app --scope "openid offline_access mail"
  oauth-authorizer authorize lab --client-id cli --issuer https://id.example.com --scope openid --scope offline_access
  oauth-authorizer authorize mailer --preset microsoft --tenant <tenant-id> --client-id <id> --flow client_credentials --client-secret <s> --save-client-secret
  oauth-authorizer authorize me@gmail.com            # again, with the stored settings
  ssh server oauth-authorizer authorize me@gmail.com --no-open   # then paste the redirected URL

Exit codes: 2 bad options or preset, 4 network or server error, 5 the authorization did not
complete (denied, expired, timed out).
`;

const OPTIONS = {
  preset: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'save-client-secret': { type: 'boolean' },
  'client-auth': { type: 'string' },
  scope: { type: 'string', multiple: true },
  'scope-set': { type: 'string' },
  flow: { type: 'string' },
  'redirect-url': { type: 'string' },
  'auth-url': { type: 'string' },
  'device-url': { type: 'string' },
  'token-url': { type: 'string' },
  'revocation-url': { type: 'string' },
  issuer: { type: 'string' },
  tenant: { type: 'string' },
  'login-hint': { type: 'string' },
  param: { type: 'string', multiple: true },
  'no-open': { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

const CLIENT_AUTH_NAMES: Record<string, ClientAuthMethod> = {
  basic: 'client_secret_basic',
  client_secret_basic: 'client_secret_basic',
  post: 'client_secret_post',
  client_secret_post: 'client_secret_post',
  none: 'none',
};

/** How each field a preset reports missing is given on the command line. */
const FLAG_OF_FIELD: Record<string, string> = {
  clientId: '--client-id',
  clientSecret: `--client-secret (or ${CLIENT_SECRET_VARIABLE})`,
  issuer: '--issuer',
  authorizationUrl: '--auth-url (or --issuer)',
  deviceAuthorizationUrl: '--device-url (or --issuer)',
  tokenUrl: '--token-url (or --issuer)',
  'parameters.tenant': '--tenant',
};

function flagOf(field: string): string {
  return (
    FLAG_OF_FIELD[field] ?? (field.startsWith('parameters.') ? `--param ${field.slice(11)}=<value>` : field)
  );
}

/** The parts of the user's input that are kept with the account. */
interface UserChoices {
  input: PresetInput;
  secretSource: 'flag' | 'environment' | 'stored' | 'prompt' | undefined;
  loginHint: string | undefined;
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
 * Authorizes an account with the code or device flow, stores it and shows its tokens (`oauth-authorizer authorize`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com', '--preset', 'google', '--client-id', clientId] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('authorize', context.args, OPTIONS, { max: 1 });
  const account = requireAccount('authorize', positionals[0]);
  const { output } = context;
  if (values.flow !== undefined && !(FLOWS as readonly string[]).includes(values.flow))
    throw usageError(
      `authorize: --flow must be code, device or client_credentials, got "${values.flow}"`,
      'authorize',
    );
  const clientAuth =
    values['client-auth'] === undefined ? undefined : CLIENT_AUTH_NAMES[values['client-auth']];
  if (values['client-auth'] !== undefined && clientAuth === undefined)
    throw usageError(
      `authorize: --client-auth must be client_secret_basic, client_secret_post or none, got "${values['client-auth']}"`,
      'authorize',
    );
  const timeout = parseSeconds('authorize', '--timeout', values.timeout, { min: 1 });
  const extraPairs = parsePairs('authorize', '--param', values.param);

  const store = openTokenStore(context);
  const existing = await readRecordForReplacement(context, store, account);
  let stored: AccountSettings | undefined;
  if (existing?.settings) {
    try {
      stored = readAccountSettings(existing);
    } catch (error) {
      output.warn(`${(error as Error).message}; authorizing without them`);
    }
  }
  const givenSpec = values.preset === undefined ? undefined : normalizePresetSpec(values.preset, context.cwd);
  // Stored settings belong to their preset: switching presets starts from the new one's defaults.
  const reuse = stored && (givenSpec === undefined || givenSpec === stored.preset) ? stored : undefined;
  const interactive =
    context.streams.stdin.isTTY === true && typeof context.streams.stdin.setRawMode === 'function';
  const prompter = interactive ? new Prompter(context.streams, output.errorStyle, context.signal) : undefined;

  let spec = givenSpec ?? reuse?.preset;
  let picked = false;
  if (spec === undefined) {
    const customFlags = ['issuer', 'auth-url', 'device-url', 'token-url'].some(
      (flag) => values[flag as keyof typeof values] !== undefined,
    );
    if (prompter && !customFlags && values['client-id'] === undefined) {
      spec = normalizePresetSpec(await pickPreset(prompter), context.cwd);
      picked = true;
    } else spec = 'custom';
  }
  const preset = await loadPresetSpec(spec, context.cwd);
  if (picked && prompter) showFixedFields(prompter, preset);

  const choices = userChoices(context, values, extraPairs, preset, reuse, clientAuth);
  let { input } = choices;
  let secretSource = choices.secretSource;
  // The account was authorized with a secret that was not stored: going on without one would
  // silently turn it into a public client.
  if (secretSource === undefined && reuse?.clientSecret === 'environment') {
    if (!prompter) {
      throw cliError(
        CLI_CLIENT_SECRET_MISSING,
        `account "${account}" was authorized with a client secret, and ${CLIENT_SECRET_VARIABLE} is not set`,
        { hint: `set ${CLIENT_SECRET_VARIABLE}, or give --client-secret` },
      );
    }
    input = { ...input, clientSecret: await prompter.ask('Client secret', { hidden: true }) };
    secretSource = 'prompt';
  }

  let resolved: ResolvedPreset | undefined;
  let missing: readonly string[] = [];
  try {
    resolved = resolvePreset(preset, input);
  } catch (error) {
    if (!isAuthorizerError(error, PRESET_MISSING_FIELDS)) throw error;
    missing = (error as PresetError).fields;
  }
  if (prompter && (picked || missing.length > 0)) {
    const before = input.clientSecret;
    input = await completeInteractively(prompter, preset, input);
    if (input.clientSecret !== before) secretSource = 'prompt';
    resolved = undefined;
  }
  for (let attempt = 0; resolved === undefined; attempt++) {
    try {
      resolved = resolvePreset(preset, input);
    } catch (error) {
      if (!isAuthorizerError(error, PRESET_MISSING_FIELDS)) throw error;
      const fields = (error as PresetError).fields;
      if (!prompter || attempt > 0) {
        throw cliError(
          CLI_MISSING_VALUES,
          `authorize: ${preset.id === 'custom' ? 'the custom preset' : `preset "${preset.id}"`} needs ${fields.map(flagOf).join(', ')}${prompter ? '' : ' (stdin is not a terminal, so they cannot be asked for)'}`,
          { hint: `give them as options; see: oauth-authorizer authorize --help` },
        );
      }
      const before = input.clientSecret;
      input = await askMissingFields(prompter, preset, input, fields);
      if (input.clientSecret !== before) secretSource = 'prompt';
    }
  }
  const secret = resolved.provider.clientSecret;
  output.addSecrets(secret);
  let saveSecret = values['save-client-secret'] === true || secretSource === 'stored';
  if (
    secret !== undefined &&
    preset.clientSecret === undefined &&
    !saveSecret &&
    prompter &&
    secretSource !== 'environment'
  ) {
    saveSecret = await prompter.confirm(
      'Store the client secret in the account file (readable only by you)?',
      false,
    );
  }
  for (const warning of resolved.warnings) output.warn(warning);

  let provider: ProviderConfig = resolved.provider;
  // Discovery now, once: the stored configuration then has every endpoint, and later refreshes
  // need no discovery request.
  if (provider.issuer) provider = await resolveProvider(provider, { signal: context.signal });
  const tokens = await runFlow(context, provider, resolved, {
    noOpen: values['no-open'] === true,
    timeout,
    loginHint: choices.loginHint ?? (account.includes('@') ? account : undefined),
  });
  output.addSecrets(tokens.accessToken, tokens.refreshToken, tokens.idToken);

  const secretKind: ClientSecretSource =
    secret === undefined
      ? 'none'
      : preset.clientSecret !== undefined
        ? 'preset'
        : saveSecret
          ? 'stored'
          : 'environment';
  const { clientSecret: _secret, http: _http, ...providerToKeep } = provider;
  const mail = mailOf(resolved);
  const settings: AccountSettings = {
    version: SETTINGS_VERSION,
    preset: spec,
    presetId: preset.id,
    flow: resolved.flow,
    clientSecret: secretKind,
    ...(secret !== undefined &&
      (secretKind === 'stored' || secretKind === 'preset') && { clientSecretValue: secret }),
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
      loginHint: choices.loginHint,
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
  };
  const lock = await store.lock(account);
  try {
    await store.set({ account, tokens, settings: settings as unknown as Record<string, unknown> });
  } finally {
    await lock.release();
  }

  const scope = tokens.scope ?? resolved.scopes.join(' ');
  const appOnly = resolved.flow === 'client_credentials';
  if (values.json) {
    output.json({
      account,
      preset: preset.id,
      token_type: tokens.tokenType,
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken ?? null,
      expires_at: isoOrNull(tokens.expiresAt),
      scope: scope === '' ? null : scope,
    });
  } else {
    const s = output.style;
    output.data(
      [
        `${s.bold('Bearer token: ')} ${tokens.accessToken}`,
        `${s.bold('Refresh token:')} ${tokens.refreshToken ?? (appOnly ? '(none: app-only access needs none)' : '(none: the provider issued no refresh token)')}`,
        `${s.bold('Expires:      ')} ${describeExpiry(tokens.expiresAt)}`,
        `${s.bold('Scopes:       ')} ${scope || '(none)'}`,
      ].join('\n'),
    );
  }
  const es = output.errorStyle;
  output.info(es.green(`Authorized ${account} (preset ${preset.id}, ${resolved.flow} flow) and stored it.`));
  if (appOnly) {
    output.info(
      es.dim(
        `"oauth-authorizer token ${shellQuote(account)}" gets a new access token with the client's credentials whenever it expires.`,
      ),
    );
  } else if (!tokens.refreshToken) {
    output.warn(
      'no refresh token was issued, so "token" cannot renew the access token when it expires (ask for offline access, e.g. the offline_access scope)',
    );
  }
  if (secretKind === 'environment') {
    output.info(
      es.dim(
        `The client secret was not stored: set ${CLIENT_SECRET_VARIABLE} where "oauth-authorizer token ${shellQuote(account)}" runs, or authorize again with --save-client-secret.`,
      ),
    );
  }
  return EXIT_OK;
}

function userChoices(
  context: CommandContext,
  values: ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'],
  extraPairs: Record<string, string>,
  preset: Preset,
  reuse: AccountSettings | undefined,
  clientAuth: ClientAuthMethod | undefined,
): UserChoices {
  // --param names a preset parameter when the preset has one of that name, else it is an extra
  // authorization parameter.
  const parameters: Record<string, string> = { ...reuse?.parameters };
  const authorizationParams: Record<string, string> = { ...reuse?.authorizationParams };
  for (const [key, value] of Object.entries(extraPairs)) {
    if (Object.hasOwn(preset.parameters, key)) parameters[key] = value;
    else authorizationParams[key] = value;
  }
  if (values.tenant !== undefined) parameters.tenant = values.tenant;

  let clientSecret: string | undefined;
  let secretSource: UserChoices['secretSource'];
  const fromEnvironment = context.env[CLIENT_SECRET_VARIABLE];
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

async function runFlow(
  context: CommandContext,
  provider: ProviderConfig,
  resolved: ResolvedPreset,
  options: { noOpen: boolean; timeout: number | undefined; loginHint: string | undefined },
): Promise<TokenSet> {
  const { output } = context;
  let userAgent: TerminalUserAgent | undefined;
  const deadline = options.timeout === undefined ? undefined : AbortSignal.timeout(options.timeout * 1000);
  const signal = deadline ? AbortSignal.any([context.signal, deadline]) : context.signal;
  const scopes = [...resolved.scopes];
  try {
    if (resolved.flow === 'client_credentials')
      return await requestClientCredentials(provider, { scopes, signal });
    if (resolved.flow === 'device') {
      const deviceAgent = new TerminalUserAgent({
        output,
        noOpen: options.noOpen,
        env: context.env,
        platform: context.platform,
      });
      userAgent = deviceAgent;
      return await authorizeWithDeviceCode(provider, {
        userAgent: deviceAgent,
        scopes,
        signal,
        onPoll: (event) => deviceAgent.onPoll(event),
      });
    }
    const { RedirectListener } = await import('@oauth-authorizer/redirect-listener');
    const listener = new RedirectListener(resolved.redirectUrl as string, {
      signal: context.signal,
      ...(options.timeout !== undefined && { timeout: options.timeout * 1000 }),
    });
    await listener.listen();
    const receiver = options.noOpen
      ? new PastedRedirectReceiver(listener, context.streams.stdin, output)
      : listener;
    const waiting = `Waiting for the redirect on ${listener.redirectUri}.`;
    userAgent = new TerminalUserAgent({
      output,
      noOpen: options.noOpen,
      env: context.env,
      platform: context.platform,
      authorizationNote: options.noOpen
        ? `${waiting}\nOn another machine? Paste the whole address the browser was sent to (it begins with ${listener.redirectUri}) here and press Enter.`
        : waiting,
    });
    return await authorizeWithCode(provider, {
      receiver,
      userAgent,
      scopes,
      signal: context.signal,
      ...(options.loginHint !== undefined && { loginHint: options.loginHint }),
    });
  } catch (error) {
    if (deadline?.aborted) {
      throw cliError(
        CLI_AUTHORIZATION_TIMEOUT,
        `the authorization did not finish within ${options.timeout} s`,
        {
          hint: 'authorize again, or give more time with --timeout',
          cause: error,
        },
      );
    }
    if (context.signal.aborted)
      throw cliError(CLI_INTERRUPTED, 'the authorization was interrupted', { cause: error });
    throw error;
  } finally {
    userAgent?.stop();
  }
}
