import { isAuthorizerError } from '@oauth-authorizer/core';
import { loadAccount, openTokenStore } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { describeDuration, parseDuration } from '../duration.js';
import { usageError } from '../errors.js';
import { EXIT_OK, exitCodeFor } from '../exit-codes.js';
import { hintFor } from '../output.js';
import { tokenManagerFor } from '../token-manager-for.js';
import { describeExpiry, isoOrNull } from '../token-status.js';
import { worstExitCode } from '../worst-exit-code.js';

/** The `--help` text of `oauth-authorizer refresh`, with examples. */
export const help = `Usage: oauth-authorizer refresh <account> [--json]
       oauth-authorizer refresh --all [--older-than <duration>] [--json]

Refreshes the account's tokens now, whatever their expiry, and stores the new ones (a rotated
refresh token included). Prints the new expiry and scopes, never the tokens (use "token").

With --all it refreshes every account, or with --older-than only those whose refresh token was
last used longer ago than that (the last token response). Run it from a timer to keep rarely
used refresh tokens alive: Microsoft's stop working after 90 days without a refresh.

Options:
  --json                   print {"account","token_type","expires_at","scope"}; with --all an
                           array of {"account","result","expires_at","exit_code","error"}
  --all                    every account (app-only accounts, which have no refresh token, are skipped)
  --older-than <duration>  with --all: only accounts not refreshed for this long (30d, 12h, 2w, …)

Examples:
  oauth-authorizer refresh me@gmail.com
  oauth-authorizer refresh work --json
  oauth-authorizer refresh --all --older-than 30d

Exit codes: 3 when the provider rejected the refresh token (authorize again), 4 on a network or
server error (the stored tokens are kept). With --all, the worst of the accounts': 1 (unexpected)
over 2 (configuration) over 3 (authorization) over 4 (network) over 0.
`;

/** What `refresh --all` did with one account. */
interface AccountResult {
  account: string;
  result: 'refreshed' | 'skipped' | 'failed';
  /** Why it was skipped. */
  reason?: string;
  expires_at?: string | null;
  exit_code: number;
  error?: { code: string; message: string; hint: string | null };
}

async function refreshOne(
  context: CommandContext,
  account: string,
  olderThan: number | undefined,
  now: number,
): Promise<AccountResult> {
  try {
    const loaded = await loadAccount(context, account);
    if (loaded.settings.flow === 'client_credentials')
      return { account, result: 'skipped', reason: 'app-only: no refresh token', exit_code: EXIT_OK };
    const lastUse = loaded.record.tokens?.obtainedAt;
    if (olderThan !== undefined && lastUse !== undefined && now - lastUse < olderThan)
      return {
        account,
        result: 'skipped',
        reason: `refreshed ${describeDuration(now - lastUse)} ago`,
        exit_code: EXIT_OK,
      };
    const manager = tokenManagerFor(context, account, loaded);
    const tokens = await manager.getTokenSet({ forceRefresh: true, signal: context.signal });
    context.output.addSecrets(tokens.accessToken, tokens.refreshToken);
    return { account, result: 'refreshed', expires_at: isoOrNull(tokens.expiresAt), exit_code: EXIT_OK };
  } catch (error) {
    // An interrupt stops the whole run, not just this account.
    if (context.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      account,
      result: 'failed',
      exit_code: exitCodeFor(error),
      error: {
        code: isAuthorizerError(error) ? error.code : 'UNEXPECTED',
        message: context.output.redact(message),
        // The CLI's hint for this account: core's neutral one gets the command to run.
        hint: hintFor(error, 'refresh', account) ?? null,
      },
    };
  }
}

async function refreshAll(
  context: CommandContext,
  olderThan: number | undefined,
  json: boolean,
): Promise<number> {
  const store = openTokenStore(context);
  const accounts = await store.list({ signal: context.signal });
  const now = Date.now();
  const results: AccountResult[] = [];
  const { output } = context;
  const { notifyForRecord } = await import('../notify.js');
  for (const account of accounts) {
    const result = await refreshOne(context, account, olderThan, now);
    results.push(result);
    // An account that needs authorization now, or nears a known limit, runs the notify hook (once).
    await notifyForRecord(context.home, context.env, await store.get(account).catch(() => undefined));
    if (json) continue;
    if (result.result === 'refreshed')
      output.info(
        `Refreshed ${account}: the access token expires ${describeExpiry(result.expires_at ? Date.parse(result.expires_at) : undefined)}`,
      );
    else if (result.result === 'skipped') output.info(`Skipped ${account}: ${result.reason}`);
    else
      output.info(
        `Failed ${account} (exit code ${result.exit_code}): ${result.error?.message}${result.error?.hint ? `\n  hint: ${result.error.hint}` : ''}`,
      );
  }
  if (json) output.json(results);
  else if (accounts.length === 0) output.info('No accounts to refresh.');
  return worstExitCode(results.map((result) => result.exit_code));
}

/**
 * Refreshes an account's tokens now (`oauth-authorizer refresh`), or every account's
 * (`--all [--older-than <d>]`); resolves with the exit code, throws the errors that `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['me@gmail.com'] });
 * const worst = await run({ ...context, args: ['--all', '--older-than', '30d'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'refresh',
    context.args,
    { json: { type: 'boolean' }, all: { type: 'boolean' }, 'older-than': { type: 'string' } },
    { max: 1 },
  );
  const olderThan = parseDuration('refresh', '--older-than', values['older-than']);
  if (values.all) {
    if (positionals.length > 0) throw usageError('refresh: give an account or --all, not both', 'refresh');
    return refreshAll(context, olderThan, values.json === true);
  }
  if (olderThan !== undefined) throw usageError('refresh: --older-than goes with --all', 'refresh');
  const account = requireAccount('refresh', positionals[0]);
  const loaded = await loadAccount(context, account);
  const manager = tokenManagerFor(context, account, loaded);
  const tokens = await manager.getTokenSet({ forceRefresh: true, signal: context.signal });
  context.output.addSecrets(tokens.accessToken, tokens.refreshToken);
  if (values.json) {
    context.output.json({
      account,
      token_type: tokens.tokenType,
      expires_at: isoOrNull(tokens.expiresAt),
      scope: tokens.scope ?? null,
    });
  } else {
    context.output.data(
      `Refreshed ${account}: the access token expires ${describeExpiry(tokens.expiresAt)}${tokens.scope ? `; scopes: ${tokens.scope}` : ''}`,
    );
  }
  return EXIT_OK;
}
