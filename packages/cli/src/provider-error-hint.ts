/**
 * The provider-specific hint line: what a provider's error code means and how to fix it, from the
 * presets package's tables (`explainProviderError`). The preset is the one `--preset` names on the
 * command line (loaded, so that a preset file's `errorsOf` counts), else the account's stored
 * preset id and `errorsOf`; the refresh token's age (for Google's 7-day "Testing" tokens) and the
 * redirect URL come from the stored account.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { isAuthorizerError } from '@oauth-authorizer/core';
import { explainProviderError, type Flow, type ProviderErrorSource } from '@oauth-authorizer/presets';
import { openTokenStore } from './account-store.js';
import { resolveHome } from './home.js';
import { loadPresetSpec } from './preset-spec.js';

/** Commands whose first argument is an account name. */
const ACCOUNT_COMMANDS = ['authorize', 'token', 'refresh', 'revoke', 'show', 'sasl'];

/** What the hint needs to know about the run that failed. */
export interface ProviderHintContext {
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  /** Where a relative `--preset` path starts. Default: `process.cwd()` */
  cwd?: string | undefined;
}

interface RunFacts {
  presetId?: string | undefined;
  errorsOf?: string | undefined;
  refreshTokenObtainedAt?: number | undefined;
  redirectUrl?: string | undefined;
  flow?: Flow | undefined;
}

/** The command, account and `--preset`/`--flow`/`--redirect-url` of a command line, leniently. */
function commandLineOf(argv: readonly string[]): {
  command?: string;
  account?: string;
  values: Record<string, unknown>;
} {
  const args = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  const command = args.find((arg) => !arg.startsWith('-'));
  const rest = command === undefined ? [] : args.slice(args.indexOf(command) + 1);
  const { values, positionals } = parseArgs({
    args: rest,
    strict: false,
    allowPositionals: true,
    options: { preset: { type: 'string' }, flow: { type: 'string' }, 'redirect-url': { type: 'string' } },
  });
  return {
    ...(command !== undefined && { command }),
    ...(positionals[0] !== undefined && { account: positionals[0] }),
    values,
  };
}

async function storedFacts(account: string, context: ProviderHintContext): Promise<RunFacts> {
  try {
    const record = await openTokenStore({
      home: resolveHome(context.env, context.platform),
      platform: context.platform,
    }).get(account);
    const settings = record?.settings;
    if (!settings) return {};
    return {
      ...(typeof settings.presetId === 'string' && { presetId: settings.presetId }),
      ...(typeof settings.errorsOf === 'string' && { errorsOf: settings.errorsOf }),
      ...(typeof settings.flow === 'string' && { flow: settings.flow as Flow }),
      ...(typeof settings.redirectUrl === 'string' && { redirectUrl: settings.redirectUrl }),
      ...(record?.tokens?.refreshTokenObtainedAt !== undefined && {
        refreshTokenObtainedAt: record.tokens.refreshTokenObtainedAt,
      }),
    };
  } catch {
    // The hint is a courtesy: an unreadable store must not hide the error being reported.
    return {};
  }
}

/**
 * The preset `--preset` names, loaded as `authorize` loads it; its spec itself when it cannot be
 * loaded (the error being reported may be that very failure).
 */
async function presetNamed(spec: string, cwd: string): Promise<ProviderErrorSource> {
  try {
    return await loadPresetSpec(spec, cwd);
  } catch {
    return spec;
  }
}

/**
 * The provider's explanation of an error, as one hint line, or `undefined` when the error is not
 * a provider's (or the preset has nothing to say about it).
 *
 * @param error What the command threw.
 * @param argv The command line (after the program name).
 * @example
 * ```ts
 * const hint = await providerErrorHint(error, ['token', 'me@gmail.com'], { env: process.env, platform: process.platform });
 * // 'Google no longer accepts the refresh token (…); fix: authorize the account again (see https://developers.google.com/…)'
 * ```
 */
export async function providerErrorHint(
  error: unknown,
  argv: readonly string[],
  context: ProviderHintContext,
): Promise<string | undefined> {
  if (!isAuthorizerError(error)) return undefined;
  const { command, account, values } = commandLineOf(argv);
  if (command === undefined || !ACCOUNT_COMMANDS.includes(command)) return undefined;
  const stored = account === undefined ? {} : await storedFacts(account, context);
  // `--preset` names the preset of a new authorization; an id without a table gets the common explanations.
  const preset: ProviderErrorSource | undefined =
    typeof values.preset === 'string'
      ? await presetNamed(values.preset, context.cwd ?? process.cwd())
      : stored.presetId === undefined
        ? undefined
        : { id: stored.presetId, errorsOf: stored.errorsOf };
  if (preset === undefined) return undefined;
  const flow = typeof values.flow === 'string' ? (values.flow as Flow) : stored.flow;
  const redirectUrl =
    typeof values['redirect-url'] === 'string' ? values['redirect-url'] : stored.redirectUrl;
  // The errors every provider sends (access_denied, invalid_grant…) have the CLI's own hint, which
  // names the command to run: only what the provider's own table knows is added.
  const explained = explainProviderError(preset, error, {
    refreshTokenObtainedAt: stored.refreshTokenObtainedAt,
    flow,
    redirectUrl,
    includeCommon: false,
  });
  if (!explained) return undefined;
  return `${explained.code}: ${explained.explanation} Fix: ${explained.fix} (see ${explained.source})`;
}
