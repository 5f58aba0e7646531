/**
 * Profiles of the providers that compare the redirect URL with the registered one exactly, port
 * included: Yahoo and AOL (`/oauth2/request_auth`, `/oauth2/get_token`), Yandex
 * (`/authorize`, `/token`) and Mail.ru (`/login`, `/token`). A loopback redirect on another port
 * is refused, as these providers refuse it.
 *
 * @see https://developer.yahoo.com/oauth2/guide/errors/ (INVALID_REDIRECT_URI, INVALID_CALLBACK)
 * @see https://yandex.com/dev/id/doc/en/register-client (Redirect URI)
 * @see https://help.mail.ru/developers/oauth/about (redirect_uri must match exactly)
 * @module
 */
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

/** The endpoint paths of each exact-matching provider. */
export const EXACT_REDIRECT_PATHS = {
  yahoo: { authorizationPath: '/oauth2/request_auth', tokenPath: '/oauth2/get_token' },
  aol: { authorizationPath: '/oauth2/request_auth', tokenPath: '/oauth2/get_token' },
  yandex: { authorizationPath: '/authorize', tokenPath: '/token' },
  mailru: { authorizationPath: '/login', tokenPath: '/token' },
} as const;

/**
 * Starts the profile of an exact-matching provider for `client`.
 *
 * @example
 * ```ts
 * const yahoo = await startExactRedirectProfile('yahoo', { clientId: 'c', clientSecret: 's', redirectUris: ['https://127.0.0.1:18471/callback'] });
 * ```
 */
export function startExactRedirectProfile(
  provider: keyof typeof EXACT_REDIRECT_PATHS,
  client: ProfileClient,
): Promise<ProfileServer> {
  return startProfileServer(client, { redirectMatching: 'exact', ...EXACT_REDIRECT_PATHS[provider] });
}
