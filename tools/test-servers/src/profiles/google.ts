/**
 * Google's profile: loopback redirects on any port (Desktop app clients), the client secret
 * required, and a device flow that allows only a few scopes: the Gmail scope
 * `https://mail.google.com/` is refused there with `invalid_scope`.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes
 * @see https://developers.google.com/identity/protocols/oauth2/native-app (loopback redirect, client secret)
 * @module
 */
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

/** Scopes Google's device flow allows (a subset of its list: what the tests use). */
const DEVICE_FLOW_SCOPES = ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/drive.file'];

/**
 * Starts Google's profile for `client`.
 *
 * @example
 * ```ts
 * const google = await startGoogleProfile({ clientId, clientSecret, redirectUris: ['http://127.0.0.1/callback'] });
 * ```
 */
export function startGoogleProfile(client: ProfileClient): Promise<ProfileServer> {
  return startProfileServer(client, {
    redirectMatching: 'loopback-any-port',
    authorizationPath: '/o/oauth2/v2/auth',
    tokenPath: '/token',
    deviceAuthorizationPath: '/device/code',
    checkDeviceRequest: (form) => {
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      return scopes.every((scope) => DEVICE_FLOW_SCOPES.includes(scope))
        ? undefined
        : { status: 400, body: { error: 'invalid_scope' } };
    },
  });
}
