/**
 * A small OAuth 2.0 authorization server on 127.0.0.1 whose rules are a provider's, for the
 * provider profiles: it approves every authorization at once (no sign-in page), checks PKCE, the
 * client secret and the redirect URL the way the provider does, and lets a profile shape its
 * redirects and error bodies. oidc-provider cannot behave this way (it matches native loopback
 * redirects on any port, and answers errors in its own format), hence a server of its own.
 *
 * Paths are `/<provider host>/<path>`, so a test maps a preset's `https://<host>/<path>`
 * endpoints onto the server with {@link localEndpoint}.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** How the provider compares the redirect URL with the registered ones. */
export type RedirectMatching = 'exact' | 'loopback-any-port';

/** An error answer: status, body, and how the body is encoded. */
export interface ProfileError {
  status: number;
  body: Record<string, unknown>;
}

/** The client registered at a profile server. */
export interface ProfileClient {
  clientId: string;
  /** Without one the client is public (PKCE only). */
  clientSecret?: string;
  redirectUris: readonly string[];
}

/** A grant the server issued, kept so refreshes and later rules can look at it. */
export interface ProfileGrant {
  /** The provider host the authorization went through (`accounts.zoho.com`). */
  host: string;
  scope: string;
  redirectUri: string;
  codeChallenge: string;
  /** What the profile attached to the grant (e.g. Zoho's account data centre). */
  data: Record<string, string>;
}

/** The rules a profile adds to the common ones. */
export interface ProfileRules {
  redirectMatching: RedirectMatching;
  /** Path of the authorization endpoint under the host, e.g. `/oauth2/request_auth`. */
  authorizationPath: string;
  /** Path of the token endpoint under the host. */
  tokenPath: string;
  /** Path of the device authorization endpoint (RFC 8628), if the provider has one; codes are approved at once. */
  deviceAuthorizationPath?: string;
  /** Refuses a device authorization request, e.g. a scope the provider does not allow there. */
  checkDeviceRequest?: (form: URLSearchParams) => ProfileError | undefined;
  /** Extra parameters on the redirect (Zoho's `location`, `accounts-server`) and grant data. */
  onAuthorize?: (host: string) => { redirectParams?: Record<string, string>; data?: Record<string, string> };
  /** Refuses a token request before the common checks, e.g. a code exchanged in the wrong data centre. */
  checkTokenRequest?: (request: {
    host: string;
    grant: ProfileGrant | undefined;
    form: URLSearchParams;
  }) => ProfileError | undefined;
  /** Encodes an error the way the provider does. Default: JSON with the status given */
  formatError?: (error: { status: number; error: string; description: string }) => ProfileError;
  /** Writes a successful token response. Default: JSON */
  writeTokens?: (request: IncomingMessage, response: ServerResponse, tokens: Record<string, unknown>) => void;
}

/** A running profile server. */
export interface ProfileServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every token request's grant type and host, in order. */
  tokenRequests: { grantType: string; host: string }[];
  /** Every device authorization request's host and scope, in order (refused ones too). */
  deviceRequests: { host: string; scope: string }[];
  /** Makes a refresh token unusable with the given error (e.g. Microsoft's 90-day inactivity). */
  expireRefreshToken(refreshToken: string, error: { error: string; description: string }): void;
  close(): Promise<void>;
}

/**
 * Maps a preset's endpoint (`https://api.login.yahoo.com/oauth2/get_token`) onto a profile
 * server (`http://127.0.0.1:<port>/api.login.yahoo.com/oauth2/get_token`).
 */
export function localEndpoint(server: Pick<ProfileServer, 'url'>, endpoint: string): string {
  const url = new URL(endpoint);
  return `${server.url}/${url.host}${url.pathname}`;
}

function redirectMatches(matching: RedirectMatching, registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  if (matching === 'exact') return false;
  // RFC 8252 §7.3: a loopback redirect matches whatever its port.
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) return false;
  url.port = '';
  return registered.includes(url.href);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts a profile server for `client` with a provider's `rules`.
 *
 * @example
 * ```ts
 * const server = await startProfileServer(client, { redirectMatching: 'exact', authorizationPath: '/authorize', tokenPath: '/token' });
 * ```
 */
export async function startProfileServer(client: ProfileClient, rules: ProfileRules): Promise<ProfileServer> {
  const codes = new Map<string, ProfileGrant>();
  const deviceCodes = new Map<string, ProfileGrant>();
  const refreshTokens = new Map<string, ProfileGrant>();
  const expired = new Map<string, { error: string; description: string }>();
  const tokenRequests: { grantType: string; host: string }[] = [];
  const deviceRequests: { host: string; scope: string }[] = [];
  const formatError =
    rules.formatError ??
    ((error) => ({
      status: error.status,
      body: { error: error.error, error_description: error.description },
    }));
  const sendJson = (response: ServerResponse, status: number, body: Record<string, unknown>) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  const fail = (response: ServerResponse, status: number, error: string, description: string) => {
    const answer = formatError({ status, error, description });
    sendJson(response, answer.status, answer.body);
  };
  const issue = (grant: ProfileGrant) => {
    const refreshToken = randomBytes(16).toString('hex');
    refreshTokens.set(refreshToken, grant);
    return {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: refreshToken,
      scope: grant.scope,
    };
  };

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const [, host = '', ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      if (request.method === 'GET' && path === rules.authorizationPath) {
        const query = url.searchParams;
        const redirectUri = query.get('redirect_uri') ?? '';
        if (query.get('client_id') !== client.clientId) {
          response.writeHead(400, { 'content-type': 'text/plain' });
          response.end('unknown client_id');
          return;
        }
        if (!redirectMatches(rules.redirectMatching, client.redirectUris, redirectUri)) {
          // Providers show an error page: a redirect URL that does not match is never followed.
          response.writeHead(400, { 'content-type': 'text/plain' });
          response.end(`redirect_uri mismatch: ${redirectUri}`);
          return;
        }
        const code = randomBytes(16).toString('hex');
        const extra = rules.onAuthorize?.(host) ?? {};
        codes.set(code, {
          host,
          scope: query.get('scope') ?? '',
          redirectUri,
          codeChallenge: query.get('code_challenge') ?? '',
          data: extra.data ?? {},
        });
        const target = new URL(redirectUri);
        target.searchParams.set('code', code);
        const state = query.get('state');
        if (state !== null) target.searchParams.set('state', state);
        for (const [key, value] of Object.entries(extra.redirectParams ?? {}))
          target.searchParams.set(key, value);
        response.writeHead(302, { location: target.href });
        response.end();
        return;
      }
      if (
        request.method === 'POST' &&
        rules.deviceAuthorizationPath &&
        path === rules.deviceAuthorizationPath
      ) {
        const form = await readForm(request);
        deviceRequests.push({ host, scope: form.get('scope') ?? '' });
        if (form.get('client_id') !== client.clientId) {
          fail(response, 401, 'invalid_client', 'The OAuth client was not found.');
          return;
        }
        const refused = rules.checkDeviceRequest?.(form);
        if (refused) {
          sendJson(response, refused.status, refused.body);
          return;
        }
        const deviceCode = randomBytes(16).toString('hex');
        deviceCodes.set(deviceCode, {
          host,
          scope: form.get('scope') ?? '',
          redirectUri: '',
          codeChallenge: '',
          data: {},
        });
        sendJson(response, 200, {
          device_code: deviceCode,
          user_code: 'ABCD-EFGH',
          verification_uri: `http://127.0.0.1/${host}/device`,
          expires_in: 600,
          interval: 1,
        });
        return;
      }
      if (request.method === 'POST' && path === rules.tokenPath) {
        const form = await readForm(request);
        const grantType = form.get('grant_type') ?? '';
        tokenRequests.push({ grantType, host });
        const secret = form.get('client_secret') ?? undefined;
        if (form.get('client_id') !== client.clientId || secret !== client.clientSecret) {
          fail(response, 401, 'invalid_client', 'Client authentication failed.');
          return;
        }
        const grant =
          grantType === 'authorization_code'
            ? codes.get(form.get('code') ?? '')
            : grantType === DEVICE_GRANT
              ? deviceCodes.get(form.get('device_code') ?? '')
              : refreshTokens.get(form.get('refresh_token') ?? '');
        const refused = rules.checkTokenRequest?.({ host, grant, form });
        if (refused) {
          sendJson(response, refused.status, refused.body);
          return;
        }
        if (grantType === 'authorization_code') {
          const verifier = form.get('code_verifier') ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (!grant || grant.redirectUri !== form.get('redirect_uri') || grant.codeChallenge !== challenge) {
            fail(
              response,
              400,
              'invalid_grant',
              'The code is invalid, expired, or was issued for another redirect.',
            );
            return;
          }
          codes.delete(form.get('code') ?? '');
        } else if (grantType === DEVICE_GRANT) {
          if (!grant) {
            fail(response, 400, 'invalid_grant', 'The device code is invalid.');
            return;
          }
          deviceCodes.delete(form.get('device_code') ?? '');
        } else if (grantType === 'refresh_token') {
          const gone = expired.get(form.get('refresh_token') ?? '');
          if (gone) {
            fail(response, 400, gone.error, gone.description);
            return;
          }
          if (!grant) {
            fail(response, 400, 'invalid_grant', 'The refresh token is invalid.');
            return;
          }
        } else {
          fail(response, 400, 'unsupported_grant_type', `${grantType} is not supported.`);
          return;
        }
        const tokens = issue(grant);
        if (rules.writeTokens) rules.writeTokens(request, response, tokens);
        else sendJson(response, 200, tokens);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests,
    deviceRequests,
    expireRefreshToken(refreshToken, error) {
      expired.set(refreshToken, error);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
