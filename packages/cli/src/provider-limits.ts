import type { AccountSettings } from './account-settings.js';

const DAY = 86_400_000;

/**
 * A limit a provider puts on refresh tokens that the token response does not state: a token dies
 * after a fixed time (`lifetime`, counted from when it was issued) or when it is not used for a
 * while (`inactivity`, counted from its last use).
 */
export interface RefreshTokenLimit {
  /** The provider, as people know it: `Google`, `Microsoft`. */
  provider: string;
  kind: 'lifetime' | 'inactivity';
  /** The limit in milliseconds. */
  duration: number;
  /**
   * `true` when the limit holds for every account of the provider; `false` when it depends on
   * something the store cannot know (Google's applies only to apps in "Testing").
   */
  always: boolean;
  /** One line for people: what the limit is and when it applies. */
  description: string;
  /** What to do about it. */
  advice: string;
  /** How long before the limit a warning is due. */
  warnBefore: number;
}

/**
 * Google: a project whose OAuth consent screen is external and "Testing" gets refresh tokens that
 * expire 7 days after the authorization (they do not rotate), unless only sign-in scopes were asked.
 * The publishing status is not visible to a client, so the limit is a possibility, not a fact.
 *
 * @see https://developers.google.com/identity/protocols/oauth2#expiration
 */
export const GOOGLE_TESTING_LIMIT: RefreshTokenLimit = Object.freeze({
  provider: 'Google',
  kind: 'lifetime',
  duration: 7 * DAY,
  always: false,
  description: 'Google: 7 days after the authorization when the OAuth app is in "Testing"',
  advice:
    'publish the app ("In production") in the Google Cloud console, then authorize again to get a refresh token without this limit',
  warnBefore: DAY,
});

/**
 * Microsoft identity platform: a refresh token that is not used for 90 days stops working
 * (each refresh returns a new one, which restarts the window).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime
 */
export const MICROSOFT_INACTIVITY_LIMIT: RefreshTokenLimit = Object.freeze({
  provider: 'Microsoft',
  kind: 'inactivity',
  duration: 90 * DAY,
  always: true,
  description: 'Microsoft: 90 days without a refresh',
  advice: 'refresh it regularly (oauth-authorizer refresh --all --older-than 30d from a timer)',
  warnBefore: 7 * DAY,
});

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The known refresh-token limit of an account's provider, recognised by the preset's `errorsOf`
 * (a preset file for Microsoft's national clouds says `microsoft`), its id, or the token
 * endpoint's host (so a custom preset for Google's endpoints gets it too); `undefined` when none
 * is known.
 *
 * @example
 * ```ts
 * refreshTokenLimitOf({ presetId: 'microsoft', provider }); // MICROSOFT_INACTIVITY_LIMIT
 * ```
 */
export function refreshTokenLimitOf(
  settings: Pick<Partial<AccountSettings>, 'presetId' | 'errorsOf' | 'flow'> & {
    provider?: { tokenUrl?: string | undefined } | undefined;
  },
): RefreshTokenLimit | undefined {
  if (settings.flow === 'client_credentials') return undefined;
  const host = hostOf(settings.provider?.tokenUrl);
  const provider = settings.errorsOf ?? settings.presetId;
  if (provider === 'google' || host === 'oauth2.googleapis.com' || host === 'accounts.google.com')
    return GOOGLE_TESTING_LIMIT;
  if (provider === 'microsoft' || host === 'login.microsoftonline.com') return MICROSOFT_INACTIVITY_LIMIT;
  return undefined;
}
