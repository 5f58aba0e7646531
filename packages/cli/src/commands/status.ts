import { isAuthorizerError, type StoredAccount } from '@oauth-authorizer/core';
import { explainProviderError, type ProviderErrorExplanation } from '@oauth-authorizer/presets';
import { type AccountHealth, assessAccountHealth } from '../account-health.js';
import { openTokenStore, unknownAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { describeDuration, describeRelative } from '../duration.js';
import { EXIT_AUTHORIZATION_REQUIRED, EXIT_OK } from '../exit-codes.js';
import { isoOrNull } from '../token-status.js';

/**
 * What the last refresh error means, from the providers' error table: the stored note keeps the
 * message (which names the provider's error code, e.g. `invalid_grant`, or Microsoft's AADSTS
 * number) and the refresh token's age (Google's 7-day "Testing" tokens).
 */
function explanationOf(health: AccountHealth): ProviderErrorExplanation | undefined {
  if (!health.lastError || health.preset === undefined) return undefined;
  const { message } = health.lastError;
  const oauthError = /\b([a-z]+(?:_[a-z]+)+)\b/.exec(message)?.[1];
  return explainProviderError(
    { id: health.preset, errorsOf: health.errorsOf },
    { message, ...(oauthError !== undefined && { error: oauthError }) },
    { refreshTokenObtainedAt: health.refreshTokenObtainedAt, now: health.lastError.at },
  );
}

/** The `--help` text of `oauth-authorizer status`, with examples. */
export const help = `Usage: oauth-authorizer status [<account>] [--json]

Shows each account's state from the store alone (no network): its preset, when the access token
expires, the refresh token's age against the provider's known limit (Microsoft: 90 days without
a refresh; Google: 7 days when the OAuth app is in "Testing"), the last refresh and the last
error, and "needs authorization" where the account must be authorized again.

Options:
  --json   print an array of {"account","preset","access_token_expires_at","refresh_token",
           "last_refresh_at","last_error","needs_authorization","nears_limit"}

Examples:
  oauth-authorizer status
  oauth-authorizer status work --json
  oauth-authorizer status || notify-send "an account needs authorization"

Exit codes: 3 when any listed account needs authorization (for monitoring scripts and systemd's
ExecCondition), else 0.
`;

interface StatusEntry {
  health: AccountHealth | undefined;
  account: string;
  /** Why the record could not be read. */
  unreadable?: string;
}

function jsonOf(entry: StatusEntry, now: number): Record<string, unknown> {
  const { health } = entry;
  if (!health)
    return {
      account: entry.account,
      preset: null,
      needs_authorization: { reason: 'unreadable', detail: entry.unreadable ?? null },
    };
  const deadline = health.deadline;
  return {
    account: health.account,
    preset: health.preset ?? null,
    access_token_expires_at: isoOrNull(health.accessTokenExpiresAt),
    refresh_token: health.hasRefreshToken
      ? {
          obtained_at: isoOrNull(health.refreshTokenObtainedAt),
          age_seconds:
            health.refreshTokenObtainedAt === undefined
              ? null
              : Math.round((now - health.refreshTokenObtainedAt) / 1000),
          expires_at: isoOrNull(deadline?.expiresAt),
          expiry_certain: deadline ? deadline.certain : null,
          limit: deadline?.limit?.description ?? null,
        }
      : null,
    last_refresh_at: isoOrNull(health.lastRefreshAt),
    last_error: health.lastError
      ? {
          at: isoOrNull(health.lastError.at),
          code: health.lastError.code,
          message: health.lastError.message,
          explanation: explanationOf(health) ?? null,
        }
      : null,
    needs_authorization: health.needsAuthorization
      ? {
          reason: health.needsAuthorization.reason,
          detail: health.needsAuthorization.detail,
          hint: health.needsAuthorization.hint,
        }
      : null,
    nears_limit: health.nearsLimit,
  };
}

function lineOf(entry: StatusEntry, now: number): string {
  const { health } = entry;
  if (!health) return `${entry.account}: unreadable (${entry.unreadable}) · needs authorization`;
  const parts = [`${health.account}: preset ${health.preset ?? '-'}`];
  parts.push(
    health.accessTokenExpiresAt === undefined
      ? 'access token expiry unknown'
      : health.accessTokenExpiresAt > now
        ? `access token expires ${describeRelative(health.accessTokenExpiresAt, now)}`
        : `access token expired ${describeRelative(health.accessTokenExpiresAt, now)}`,
  );
  if (health.hasRefreshToken) {
    const age =
      health.refreshTokenObtainedAt === undefined
        ? 'refresh token of unknown age'
        : `refresh token ${describeDuration(now - health.refreshTokenObtainedAt)} old`;
    const deadline = health.deadline;
    let limit = '';
    if (deadline) {
      const when = `${deadline.expiresAt > now ? 'expires' : 'expired'} ${describeRelative(deadline.expiresAt, now)}`;
      limit = deadline.limit
        ? ` (limit ${deadline.limit.description}: ${deadline.certain ? '' : 'then '}${when})`
        : ` (the provider says it ${when})`;
    }
    parts.push(`${age}${limit}`);
  } else parts.push('no refresh token');
  if (health.lastRefreshAt !== undefined)
    parts.push(
      `last refresh ${new Date(health.lastRefreshAt).toISOString()} (${describeRelative(health.lastRefreshAt, now)})`,
    );
  if (health.lastError) {
    const why = explanationOf(health);
    parts.push(
      `last error: ${health.lastError.message} [${health.lastError.code}]${why ? ` (${why.explanation} Fix: ${why.fix})` : ''}`,
    );
  }
  if (health.needsAuthorization)
    parts.push(`needs authorization: ${health.needsAuthorization.detail}; ${health.needsAuthorization.hint}`);
  else if (health.nearsLimit && health.deadline?.limit) parts.push(`soon: ${health.deadline.limit.advice}`);
  return parts.join(' · ');
}

/**
 * Shows the accounts' state from the store alone (`oauth-authorizer status`); resolves with 3 when
 * one of them needs authorization, else 0; throws the errors that `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['--json'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'status',
    context.args,
    { json: { type: 'boolean' } },
    { max: 1 },
  );
  const store = openTokenStore(context);
  const only = positionals[0] === undefined ? undefined : requireAccount('status', positionals[0]);
  const accounts = only === undefined ? await store.list({ signal: context.signal }) : [only];
  const now = Date.now();
  const entries: StatusEntry[] = [];
  const records: StoredAccount[] = [];
  for (const account of accounts) {
    let record: StoredAccount | undefined;
    try {
      record = await store.get(account, { signal: context.signal });
    } catch (error) {
      if (!isAuthorizerError(error)) throw error;
      entries.push({ account, health: undefined, unreadable: error.message });
      continue;
    }
    if (record === undefined) throw unknownAccount(account);
    entries.push({ account, health: assessAccountHealth(record, now) });
    records.push(record);
  }
  if (values.json) context.output.json(entries.map((entry) => jsonOf(entry, now)));
  else if (entries.length === 0)
    context.output.info(
      'No accounts yet. Add one with: oauth-authorizer authorize <account> --preset <preset>',
    );
  else for (const entry of entries) context.output.data(lineOf(entry, now));
  // An account that needs authorization, or nears a known limit, runs the notify hook (once).
  const { notifyForRecord } = await import('../notify.js');
  for (const record of records) await notifyForRecord(context.home, context.env, record);
  return entries.some((entry) => !entry.health || entry.health.needsAuthorization)
    ? EXIT_AUTHORIZATION_REQUIRED
    : EXIT_OK;
}
