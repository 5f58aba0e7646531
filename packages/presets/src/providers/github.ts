import { definePreset } from '../define-preset.js';

/**
 * GitHub (OAuth apps and GitHub Apps acting for a user), for scripts that call the GitHub API.
 * GitHub answers its token endpoint in form encoding unless asked for JSON with
 * `Accept: application/json`. The device flow must be switched on in the app's settings and
 * needs no secret; the code flow needs the client secret. Loopback redirect URLs may use any
 * port. No mail servers.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps (endpoints, device flow, Accept header, loopback redirect)
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps (scopes)
 * @example
 * ```ts
 * import { github, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider } = resolvePreset(github, { clientId, scopes: ['repo'] });
 * ```
 */
export const github = definePreset({
  id: 'github',
  name: 'GitHub',
  description: 'A GitHub user token for scripts that call the GitHub API.',
  documentationUrl: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  deviceAuthorizationUrl: 'https://github.com/login/device/code',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  scopes: { default: [], user: ['read:user', 'user:email'], repo: ['repo'] },
  flows: ['device', 'code'],
  preferredFlow: 'device',
  tokenHeaders: { Accept: 'application/json' },
  clientAuth: 'client_secret_post',
  clientSecretRequired: ['code'],
  redirectUrl: 'http://127.0.0.1/callback',
  warnings: [
    {
      message: 'The device flow works only once "Enable Device Flow" is ticked in the app\'s settings.',
      flows: ['device'],
    },
  ],
});
