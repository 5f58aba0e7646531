import type { StoredAccount } from '@oauth-authorizer/core';
import { shellQuote } from './errors.js';
import { type RefreshTokenLimit, refreshTokenLimitOf } from './provider-limits.js';

/** Why an account needs authorization, for people and for hooks (`OAUTH_AUTHORIZER_REASON`). */
export type AuthorizationReason =
  /** The provider rejected the refresh token (`invalid_grant`: revoked, password changed, expired). */
  | 'rejected'
  /** A provider's known refresh-token limit has passed (Microsoft's 90 days without use). */
  | 'expired'
  /** The account has no tokens (never authorized, or revoked here). */
  | 'not-authorized'
  /** The access token expired and there is no refresh token to get a new one. */
  | 'no-refresh-token';

/** Where the refresh token stands against its provider's limit. */
export interface RefreshTokenDeadline {
  limit: RefreshTokenLimit | undefined;
  /** When the refresh token stops working (ms since the epoch). */
  expiresAt: number;
  /** `true` when the provider said so (`refresh_token_expires_in`) or the limit always holds. */
  certain: boolean;
}

/** An account's state, read from its stored record alone (no network). */
export interface AccountHealth {
  account: string;
  /** The preset's id, when the CLI's settings name one. */
  preset: string | undefined;
  /** The provider whose documented errors explain the account's, when the preset named one (`errorsOf`). */
  errorsOf: string | undefined;
  /** When the access token expires; `undefined` when unknown. */
  accessTokenExpiresAt: number | undefined;
  hasRefreshToken: boolean;
  /** When the current refresh token was issued. */
  refreshTokenObtainedAt: number | undefined;
  /** The last token response (the authorization or the last refresh): the refresh token's last use. */
  lastRefreshAt: number | undefined;
  deadline: RefreshTokenDeadline | undefined;
  lastError: StoredAccount['lastRefreshError'];
  needsAuthorization: { reason: AuthorizationReason; detail: string; hint: string } | undefined;
  /** The refresh token nears a known limit (Google "Testing": within a day). */
  nearsLimit: boolean;
}

function deadlineOf(
  record: StoredAccount,
  limit: RefreshTokenLimit | undefined,
): RefreshTokenDeadline | undefined {
  const tokens = record.tokens;
  if (!tokens?.refreshToken) return undefined;
  if (tokens.refreshTokenExpiresAt !== undefined)
    return { limit, expiresAt: tokens.refreshTokenExpiresAt, certain: true };
  if (!limit) return undefined;
  const from =
    limit.kind === 'lifetime' ? (tokens.refreshTokenObtainedAt ?? tokens.obtainedAt) : tokens.obtainedAt;
  return { limit, expiresAt: from + limit.duration, certain: limit.always };
}

/**
 * What `status` shows for an account: token expiry, refresh-token age against the provider's known
 * limit, the last refresh and its error, and whether the account needs authorization. A limit that
 * only may apply (Google "Testing") is shown, never counted as "needs authorization" by itself.
 *
 * @param record The stored record.
 * @param now Default: `Date.now()`
 *
 * @example
 * ```ts
 * const health = assessAccountHealth(await store.get('work'));
 * if (health.needsAuthorization) console.log(health.needsAuthorization.hint);
 * ```
 */
export function assessAccountHealth(record: StoredAccount, now: number = Date.now()): AccountHealth {
  const settings = (record.settings ?? {}) as Record<string, unknown>;
  const presetId = typeof settings.presetId === 'string' ? settings.presetId : undefined;
  const errorsOf = typeof settings.errorsOf === 'string' ? settings.errorsOf : undefined;
  const limit = refreshTokenLimitOf({
    ...(presetId !== undefined && { presetId }),
    ...(errorsOf !== undefined && { errorsOf }),
    ...(typeof settings.flow === 'string' && { flow: settings.flow as never }),
    provider: settings.provider as { tokenUrl?: string },
  });
  const tokens = record.tokens;
  const deadline = deadlineOf(record, limit);
  const hint = `run: oauth-authorizer authorize ${shellQuote(record.account)}`;
  const appOnly = settings.flow === 'client_credentials';
  let needsAuthorization: AccountHealth['needsAuthorization'];
  if (record.authorizationRequired)
    needsAuthorization = { reason: 'rejected', detail: record.authorizationRequired.reason, hint };
  else if (!tokens && !appOnly)
    needsAuthorization = { reason: 'not-authorized', detail: 'the account has no tokens', hint };
  else if (deadline?.certain && deadline.expiresAt <= now)
    needsAuthorization = {
      reason: 'expired',
      detail: `the refresh token passed its limit (${deadline.limit?.description ?? 'the expiry the provider gave'})`,
      hint: deadline.limit ? `${hint}; then ${deadline.limit.advice}` : hint,
    };
  else if (
    tokens &&
    !appOnly &&
    !tokens.refreshToken &&
    tokens.expiresAt !== undefined &&
    tokens.expiresAt <= now
  )
    needsAuthorization = {
      reason: 'no-refresh-token',
      detail: 'the access token expired and there is no refresh token',
      hint,
    };
  const warnBefore = deadline?.limit?.warnBefore ?? 86_400_000;
  return {
    account: record.account,
    preset: presetId,
    errorsOf,
    accessTokenExpiresAt: tokens?.expiresAt,
    hasRefreshToken: tokens?.refreshToken !== undefined,
    refreshTokenObtainedAt: tokens?.refreshToken ? tokens.refreshTokenObtainedAt : undefined,
    lastRefreshAt: tokens?.obtainedAt,
    deadline,
    lastError: record.lastRefreshError,
    needsAuthorization,
    nearsLimit:
      needsAuthorization === undefined &&
      deadline !== undefined &&
      deadline.expiresAt > now &&
      deadline.expiresAt - now <= warnBefore,
  };
}
