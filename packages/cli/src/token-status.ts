import type { StoredAccount } from '@oauth-authorizer/core';

/** The state of an account's tokens, as `accounts` and `show` report it. */
export type TokenStatus = 'valid' | 'expired' | 'authorization-required' | 'not-authorized';

/**
 * An account's token status. A token that expired but can be refreshed counts as `expired`.
 *
 * @example
 * ```ts
 * tokenStatusOf(record); // 'valid', 'expired', 'authorization-required' or 'not-authorized'
 * ```
 */
export function tokenStatusOf(record: StoredAccount, now: number = Date.now()): TokenStatus {
  if (record.authorizationRequired) return 'authorization-required';
  const tokens = record.tokens;
  if (!tokens) return 'not-authorized';
  if (tokens.expiresAt !== undefined && tokens.expiresAt <= now)
    return tokens.refreshToken ? 'expired' : 'authorization-required';
  return 'valid';
}

/**
 * `2025-05-01T10:00:00.000Z (in 59 min)`, or `unknown (the provider gave no expiry)`.
 *
 * @example
 * ```ts
 * describeExpiry(Date.now() + 3_600_000); // '2025-05-01T10:00:00.000Z (in 60 min)'
 * ```
 */
export function describeExpiry(expiresAt: number | undefined, now: number = Date.now()): string {
  if (expiresAt === undefined) return 'unknown (the provider gave no expiry)';
  const iso = new Date(expiresAt).toISOString();
  const seconds = Math.round((expiresAt - now) / 1000);
  const amount = (value: number): string => {
    const abs = Math.abs(value);
    if (abs < 120) return `${abs} s`;
    if (abs < 7200) return `${Math.round(abs / 60)} min`;
    if (abs < 172_800) return `${Math.round(abs / 3600)} h`;
    return `${Math.round(abs / 86_400)} days`;
  };
  return seconds >= 0 ? `${iso} (in ${amount(seconds)})` : `${iso} (${amount(seconds)} ago)`;
}

/**
 * An ISO 8601 date or `null`, for JSON output.
 *
 * @example
 * ```ts
 * isoOrNull(tokens.expiresAt); // '2025-05-01T10:00:00.000Z' or null
 * ```
 */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
