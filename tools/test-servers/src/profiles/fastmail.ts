/**
 * Fastmail's profile: the authorization code flow with PKCE for public clients (no client
 * secret), one token endpoint, `/oauth/refresh`, for the first exchange as for refreshes, and
 * `http://localhost/…` redirects for native apps (matched here on any port, as loopback redirects).
 *
 * @see https://www.fastmail.com/for-developers/oauth/ (flow, token endpoint, http://localhost/ redirects)
 * @module
 */
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

/**
 * Starts Fastmail's profile for `client`.
 *
 * @example
 * ```ts
 * const fastmail = await startFastmailProfile({ clientId: 'app', redirectUris: ['http://localhost/callback'] });
 * ```
 */
export function startFastmailProfile(client: ProfileClient): Promise<ProfileServer> {
  return startProfileServer(client, {
    redirectMatching: 'loopback-any-port',
    authorizationPath: '/oauth/authorize',
    tokenPath: '/oauth/refresh',
  });
}
