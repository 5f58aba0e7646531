import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, default as OidcProvider } from 'oidc-provider';
import { handleInteraction } from './interactions.js';

/** The clients registered at the test authorization server. */
export const clients = {
  /** A public native client (PKCE, no secret), for the code and device flows. */
  native: { clientId: 'native-app' },
  /** A confidential client authenticating with HTTP Basic. */
  basic: { clientId: 'confidential-basic', clientSecret: 'basic-secret-0123456789' },
  /** A confidential client authenticating with form fields. */
  post: { clientId: 'confidential-post', clientSecret: 'post-secret-0123456789' },
  /** A client-credentials-only client (app-only access). */
  service: { clientId: 'service-app', clientSecret: 'service-secret-0123456789' },
  /** The resource server (a mail server) that introspects tokens. */
  resourceServer: { clientId: 'mail-server', clientSecret: 'mail-server-secret-0123456789' },
} as const;

/** The resource indicator of the mail "API" whose access tokens carry the `mail` scope. */
export const MAIL_RESOURCE = 'urn:oauth-authorizer:test:mail';

let oidcProvider: Promise<typeof import('oidc-provider')> | undefined;

/**
 * Loads oidc-provider with its start-up notices silenced. It warns about Node 20 and about the
 * development defaults a test server uses on purpose (memory adapter, generated keys, default
 * pages): true, known, and noise in test and demo output. Other console output passes through.
 */
function loadOidcProvider(): Promise<typeof import('oidc-provider')> {
  if (!oidcProvider) {
    const isNotice = (args: unknown[]) =>
      typeof args[0] === 'string' && /oidc-provider (NOTICE|WARNING)/.test(args[0]);
    for (const method of ['info', 'warn'] as const) {
      const original = console[method].bind(console);
      console[method] = (...args: unknown[]) => {
        if (!isNotice(args)) original(...args);
      };
    }
    oidcProvider = import('oidc-provider');
  }
  return oidcProvider;
}

const LOOPBACK_REDIRECTS = [
  'http://127.0.0.1/callback',
  'http://[::1]/callback',
  'http://localhost/callback',
];
/** The device flow's grant type (RFC 8628 §3.4). */
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Options of {@link startAuthorizationServer}. */
export interface AuthorizationServerOptions {
  /** Access token lifetime in seconds. Default: 3600 */
  accessTokenTtl?: number;
  /** Device code lifetime in seconds. Default: 600 */
  deviceCodeTtl?: number;
  /**
   * Interval to announce in device authorization responses, in seconds. oidc-provider announces
   * none; with this set, a poll sooner than the interval after the previous one is answered with
   * `slow_down` and the required interval grows by 5 s (RFC 8628 §3.5).
   */
  deviceInterval?: number;
  /** Answer the first N pending device polls of each device code with `slow_down`. Default: 0 */
  slowDownFirstPolls?: number;
  /** Extra redirect URIs for every client (e.g. an https one). */
  extraRedirectUris?: string[];
}

/** One request seen at the token endpoint. */
export interface TokenRequestRecord {
  grantType: string | undefined;
  clientId: string | undefined;
  status: number;
  error: string | undefined;
  at: number;
}

/** A running test authorization server. */
export interface AuthorizationServer {
  /** The issuer, `http://127.0.0.1:<port>`. */
  issuer: string;
  port: number;
  provider: OidcProvider;
  endpoints: {
    authorization: string;
    deviceAuthorization: string;
    token: string;
    revocation: string;
    introspection: string;
    discovery: string;
  };
  /** Every request the token endpoint answered, in order. */
  tokenRequests: TokenRequestRecord[];
  /** Token requests with the given grant type (e.g. `refresh_token`). */
  countTokenRequests(grantType?: string): number;
  /** Introspects a token as the mail server does. */
  introspect(token: string): Promise<Record<string, unknown> & { active: boolean }>;
  /** Changes the access token lifetime for tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts a real `oidc-provider` on `127.0.0.1` with a free port, with refresh-token rotation, the
 * device flow, introspection, revocation and client credentials, and simple login and consent
 * pages (see `interactions.ts`) that a browser or {@link signIn} can drive.
 */
export async function startAuthorizationServer(
  options: AuthorizationServerOptions = {},
): Promise<AuthorizationServer> {
  const { default: Provider, errors } = await loadOidcProvider();
  let accessTokenTtl = options.accessTokenTtl ?? 3600;
  const redirectUris = [...LOOPBACK_REDIRECTS, ...(options.extraRedirectUris ?? [])];
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clients.native.clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        response_types: ['code'],
      },
      {
        client_id: clients.basic.clientId,
        client_secret: clients.basic.clientSecret,
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        response_types: ['code'],
      },
      {
        client_id: clients.post.clientId,
        client_secret: clients.post.clientSecret,
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_post',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        response_types: ['code'],
      },
      {
        client_id: clients.service.clientId,
        client_secret: clients.service.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
      },
      {
        client_id: clients.resourceServer.clientId,
        client_secret: clients.resourceServer.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [],
        grant_types: [],
        response_types: [],
      },
    ],
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access', 'email', 'mail'],
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MAIL_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== MAIL_RESOURCE) throw new errors.InvalidTarget();
          return { scope: 'mail', accessTokenFormat: 'opaque', accessTokenTTL: accessTokenTtl };
        },
      },
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    rotateRefreshToken: true,
    clockTolerance: 0,
    ttl: {
      AccessToken: () => accessTokenTtl,
      ClientCredentials: () => accessTokenTtl,
      DeviceCode: options.deviceCodeTtl ?? 600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      Interaction: 3600,
    },
    // Mail servers look the owner up by e-mail in the introspection response (Dovecot's
    // username_attribute); the login name of these tests is an e-mail address.
    extraTokenClaims: (_ctx, token) =>
      'accountId' in token && token.accountId ? { email: token.accountId } : undefined,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, error) => {
    process.stderr.write(`oidc-provider server_error: ${error.stack ?? String(error)}\n`);
  });

  const tokenRequests: TokenRequestRecord[] = [];
  const lastPoll = new Map<string, { at: number; interval: number; slowDowns: number }>();
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/device/auth' && ctx.status === 200 && options.deviceInterval !== undefined) {
      (ctx.body as Record<string, unknown>).interval = options.deviceInterval;
    }
    if (ctx.path !== '/token' || ctx.method !== 'POST') return;
    const params = ctx.oidc?.params as Record<string, unknown> | undefined;
    const grantType = params?.grant_type as string | undefined;
    let body = ctx.body as Record<string, unknown> | undefined;
    if (grantType === DEVICE_GRANT && body?.error === 'authorization_pending') {
      const deviceCode = String(params?.device_code);
      const now = Date.now();
      const poll = lastPoll.get(deviceCode) ?? { at: 0, interval: options.deviceInterval ?? 0, slowDowns: 0 };
      const tooEarly = poll.at !== 0 && now - poll.at < poll.interval * 1000 - 50;
      if (tooEarly || poll.slowDowns < (options.slowDownFirstPolls ?? 0)) {
        poll.interval += 5;
        poll.slowDowns += 1;
        body = { error: 'slow_down', error_description: 'polling too fast' };
        ctx.body = body;
      }
      poll.at = now;
      lastPoll.set(deviceCode, poll);
    }
    tokenRequests.push({
      grantType,
      clientId: ctx.oidc?.client?.clientId,
      status: ctx.status,
      error: typeof body?.error === 'string' ? body.error : undefined,
      at: Date.now(),
    });
  });

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      handleInteraction(provider, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });

  const rs = clients.resourceServer;
  const introspectionUrl = `${issuer}/token/introspection`;
  return {
    issuer,
    port,
    provider,
    endpoints: {
      authorization: `${issuer}/auth`,
      deviceAuthorization: `${issuer}/device/auth`,
      token: `${issuer}/token`,
      revocation: `${issuer}/token/revocation`,
      introspection: introspectionUrl,
      discovery: `${issuer}/.well-known/openid-configuration`,
    },
    tokenRequests,
    countTokenRequests: (grantType) =>
      tokenRequests.filter((record) => grantType === undefined || record.grantType === grantType).length,
    async introspect(token) {
      const response = await fetch(introspectionUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${rs.clientId}:${rs.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }),
      });
      return (await response.json()) as Record<string, unknown> & { active: boolean };
    },
    setAccessTokenTtl(seconds) {
      accessTokenTtl = seconds;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
