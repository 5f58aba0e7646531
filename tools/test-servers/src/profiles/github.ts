/**
 * GitHub's profile: the token endpoint answers in form encoding unless the request says
 * `Accept: application/json`, and sends its errors with status 200 (`error`,
 * `error_description`, `error_uri`). Loopback redirects match on any port. OAuth apps get tokens
 * that never expire; with `expiringTokens` (a GitHub App with user-token expiration) the answer
 * has `expires_in` and a `refresh_token`.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps (Accept header, loopback redirect)
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors (errors with status 200)
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens (expiring user tokens)
 * @module
 */
import type { ServerResponse } from 'node:http';
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

const ERRORS_PAGE =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

function wantsJson(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => type.trim().startsWith('application/json'));
}

/**
 * Starts GitHub's profile for `client`.
 *
 * @example
 * ```ts
 * const github = await startGithubProfile({ clientId, clientSecret, redirectUris: ['http://127.0.0.1/callback'] });
 * ```
 */
export function startGithubProfile(
  client: ProfileClient,
  options: { expiringTokens?: boolean } = {},
): Promise<ProfileServer> {
  const errorNames: Record<string, string> = {
    invalid_client: 'incorrect_client_credentials',
    invalid_grant: 'bad_verification_code',
  };
  return startProfileServer(client, {
    redirectMatching: 'loopback-any-port',
    authorizationPath: '/login/oauth/authorize',
    tokenPath: '/login/oauth/access_token',
    formatError: ({ error, description }) => ({
      status: 200,
      body: { error: errorNames[error] ?? error, error_description: description, error_uri: ERRORS_PAGE },
    }),
    writeTokens: (request, response: ServerResponse, tokens) => {
      const { refresh_token: _refresh, expires_in: _expires, ...kept } = tokens;
      const token = options.expiringTokens ? tokens : kept;
      if (wantsJson(request.headers.accept)) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ...token, token_type: 'bearer' }));
      } else {
        response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
        response.end(
          new URLSearchParams({ ...(token as Record<string, string>), token_type: 'bearer' }).toString(),
        );
      }
    },
  });
}
