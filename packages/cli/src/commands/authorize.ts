import { type ClientAuthMethod, type ProviderConfig, resolveProvider } from '@oauth-authorizer/core';
import { FLOWS, parametersFromRedirect, resolvePreset } from '@oauth-authorizer/presets';
import {
  type AccountSettings,
  CLIENT_SECRET_VARIABLE,
  choicesFromFlags,
  clientSecretSourceFor,
  readAccountSettings,
  settingsFor,
} from '../account-settings.js';
import { openTokenStore, readRecordForReplacement } from '../account-store.js';
import {
  chooseSecretStorage,
  pickPreset,
  resolveWithDialog,
  showFixedFields,
} from '../authorization-dialog.js';
import { runAuthorizationFlow } from '../authorization-flow.js';
import { printAuthorization } from '../authorization-report.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, parsePairs, parseSeconds, requireAccount } from '../command-line.js';
import { usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { type AccountStoreKind, STORE_KINDS, storeKindOf } from '../keyring-store.js';
import { checkPresetChoices } from '../preset-choices.js';
import { loadPresetSpec, normalizePresetSpec } from '../preset-spec.js';
import { Prompter } from '../prompts.js';
import { readSettings } from '../settings-file.js';

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
  --save-client-secret     keep the client secret with the account (its file, mode 0600, or the OS
                           keyring with --store keyring); without it, later refreshes read it
                           from ${CLIENT_SECRET_VARIABLE}
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

Storage:
  --store <file|keyring>   where the refresh token and client secret live: the account file
                           (default), or the OS keyring (Secret Service, Keychain, Credential
                           Manager); the access token stays in the file. Default for an existing
                           account: where it is now. "oauth-authorizer store migrate" moves one.

Behaviour:
  --no-open                print the URL instead of opening a browser; in the code flow, the
                           address the browser was sent to can then be pasted here
  --clipboard              copy the device code, or the URL to open, to the clipboard (wl-copy,
                           xclip, pbcopy or clip; else the terminal's OSC 52)
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
  clipboard: { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  store: { type: 'string' },
} as const;

const CLIENT_AUTH_NAMES: Record<string, ClientAuthMethod> = {
  basic: 'client_secret_basic',
  client_secret_basic: 'client_secret_basic',
  post: 'client_secret_post',
  client_secret_post: 'client_secret_post',
  none: 'none',
};

/** Whether a redirect URL names its port (not none, not 0): a provider that compares it exactly needs that one. */
function hasFixedPort(redirectUrl: string | undefined): boolean {
  if (redirectUrl === undefined) return false;
  try {
    const { port } = new URL(redirectUrl);
    return port !== '' && port !== '0';
  } catch {
    return false;
  }
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
  if (values['client-secret'] !== undefined)
    output.warn(
      `--client-secret on the command line is visible to other users (ps, shell history); set ${CLIENT_SECRET_VARIABLE} instead, or leave it out to be asked for it (hidden)`,
    );
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

  if (values.store !== undefined && !(STORE_KINDS as readonly string[]).includes(values.store))
    throw usageError(`authorize: --store must be file or keyring, got "${values.store}"`, 'authorize');
  const store = openTokenStore(context);
  const existing = await readRecordForReplacement(context, store, account);
  // --store, else where the account is now, else the settings file's `store` for new accounts.
  const storeKind =
    (values.store as AccountStoreKind | undefined) ??
    (existing ? storeKindOf(existing) : ((await readSettings(context.home)).store ?? 'file'));
  // Before the sign-in, so that a box without a keyring fails now, not after the user signed in.
  if (storeKind === 'keyring') await store.keyring.read(account);
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
  let addressParameters: Record<string, string> = {};
  if (spec === undefined) {
    const customFlags = ['issuer', 'auth-url', 'device-url', 'token-url'].some(
      (flag) => values[flag as keyof typeof values] !== undefined,
    );
    if (prompter && !customFlags && values['client-id'] === undefined) {
      const choice = await pickPreset(prompter, account);
      spec = normalizePresetSpec(choice.spec, context.cwd);
      addressParameters = choice.parameters;
      picked = true;
    } else spec = 'custom';
  }
  const preset = await loadPresetSpec(spec, context.cwd);
  if (picked && prompter) showFixedFields(prompter, preset);

  const choices = choicesFromFlags(values, extraPairs, preset, reuse, clientAuth, context.env);
  choices.input.parameters = { ...addressParameters, ...choices.input.parameters };
  checkPresetChoices(preset, choices.input);
  const { resolved, input, secretSource } = await resolveWithDialog({
    prompter,
    account,
    preset,
    input: choices.input,
    secretSource: choices.secretSource,
    picked,
    secretExpected: reuse?.clientSecret === 'environment',
  });
  const secret = resolved.provider.clientSecret;
  output.addSecrets(secret);
  const saveSecret = await chooseSecretStorage({
    prompter,
    preset,
    secret,
    saveFlag: values['save-client-secret'] === true,
    secretSource,
    say: (text) => output.info(output.errorStyle.dim(text)),
  });
  for (const warning of resolved.warnings) output.warn(warning);

  let provider: ProviderConfig = resolved.provider;
  // Discovery now, once: the stored configuration then has every endpoint, and later refreshes
  // need no discovery request.
  if (provider.issuer) provider = await resolveProvider(provider, { signal: context.signal });
  // A provider whose redirect names where the account lives (Zoho's data centre): the code is
  // redeemed there, and the account is stored with that choice, so refreshes go there too.
  let exchanged: { resolved: typeof resolved; input: typeof input; provider: ProviderConfig } | undefined;
  const exchangeWith =
    Object.keys(preset.redirectParameters).length === 0
      ? undefined
      : (callback: URL) => {
          const implied = parametersFromRedirect(preset, callback);
          const parameters = { ...input.parameters, ...implied };
          if (Object.entries(implied).every(([name, value]) => input.parameters?.[name] === value))
            return provider;
          const again = resolvePreset(preset, { ...input, parameters });
          exchanged = { resolved: again, input: { ...input, parameters }, provider: again.provider };
          output.info(
            output.errorStyle.dim(
              `The provider says the account lives at ${Object.entries(implied)
                .map(([name, value]) => `${name}=${value}`)
                .join(' ')}: redeeming the code there.`,
            ),
          );
          return again.provider;
        };
  const tokens = await runAuthorizationFlow(context, provider, resolved, {
    ...(exchangeWith && { exchangeWith }),
    noOpen: values['no-open'] === true,
    clipboard: values.clipboard === true,
    fixedRedirect: input.redirectUrl === undefined && hasFixedPort(preset.redirectUrl),
    timeout,
    loginHint: choices.loginHint ?? (account.includes('@') ? account : undefined),
  });
  output.addSecrets(tokens.accessToken, tokens.refreshToken, tokens.idToken);

  const secretKind = clientSecretSourceFor(secret, preset, saveSecret);
  const settings = settingsFor({
    spec,
    preset,
    resolved: exchanged?.resolved ?? resolved,
    provider: exchanged?.provider ?? provider,
    input: exchanged?.input ?? input,
    loginHint: choices.loginHint,
    secretSource: secretKind,
    store: storeKind,
  });
  const lock = await store.lock(account);
  try {
    await store.set({ account, tokens, settings: settings as unknown as Record<string, unknown> });
    if (storeKind === 'file' && storeKindOf(existing) === 'keyring')
      await store.forgetKeyringSecrets(account).catch((error: unknown) => {
        output.warn(`the old secrets of "${account}" stay in the OS keyring: ${(error as Error).message}`);
      });
  } finally {
    await lock.release();
  }
  printAuthorization(output, {
    account,
    presetId: preset.id,
    flow: resolved.flow,
    tokens,
    requestedScopes: resolved.scopes,
    secretSource: secretKind,
    json: values.json === true,
  });
  return EXIT_OK;
}
