import { CLIENT_SECRET_VARIABLE } from '../account-settings.js';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { describeDuration } from '../duration.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeExpiry, isoOrNull, tokenStatusOf } from '../token-status.js';

/** The `--help` text of `oauth-authorizer show`, with examples. */
export const help = `Usage: oauth-authorizer show <account> [--json] [--reveal]

Shows an account: its preset, client, flow, scopes, endpoints and mail servers, and the state of
its tokens. Tokens and a stored client secret are shown only with --reveal.

Options:
  --json     print one JSON object {"account","status","settings","tokens","authorization_required"}
  --reveal   include the access token, the refresh token and a stored client secret

Examples:
  oauth-authorizer show me@gmail.com
  oauth-authorizer show work --json --reveal
`;

const SECRET_SOURCES = {
  none: 'none (a public client)',
  stored: 'stored in the account file',
  environment: `read from $${CLIENT_SECRET_VARIABLE}`,
  preset: "the preset's published secret",
} as const;

/**
 * Shows an account's settings and token state (`oauth-authorizer show`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['work', '--json'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'show',
    context.args,
    { json: { type: 'boolean' }, reveal: { type: 'boolean' } },
    { max: 1 },
  );
  const account = requireAccount('show', positionals[0]);
  const { record, settings } = await loadAccount(context, account);
  const reveal = values.reveal === true;
  const tokens = record.tokens;
  const status = tokenStatusOf(record);
  const { output } = context;
  if (!reveal) output.addSecrets(tokens?.accessToken, tokens?.refreshToken, settings.clientSecretValue);

  if (values.json) {
    const { clientSecretValue, ...visibleSettings } = settings;
    output.json({
      account,
      status,
      settings:
        reveal && clientSecretValue !== undefined
          ? { ...visibleSettings, clientSecretValue }
          : visibleSettings,
      tokens: tokens
        ? {
            token_type: tokens.tokenType,
            expires_at: isoOrNull(tokens.expiresAt),
            scope: tokens.scope ?? null,
            obtained_at: isoOrNull(tokens.obtainedAt),
            has_refresh_token: tokens.refreshToken !== undefined,
            refresh_token_obtained_at: isoOrNull(
              tokens.refreshToken ? tokens.refreshTokenObtainedAt : undefined,
            ),
            refresh_token_expires_at: isoOrNull(tokens.refreshTokenExpiresAt),
            ...(reveal && {
              access_token: tokens.accessToken,
              refresh_token: tokens.refreshToken ?? null,
              id_token: tokens.idToken ?? null,
            }),
          }
        : null,
      authorization_required: record.authorizationRequired
        ? {
            since: isoOrNull(record.authorizationRequired.since),
            reason: record.authorizationRequired.reason,
          }
        : null,
    });
    return EXIT_OK;
  }

  const s = output.style;
  const rows: [string, string | undefined][] = [
    ['Account', account],
    [
      'Preset',
      settings.preset === settings.presetId ? settings.preset : `${settings.presetId} (${settings.preset})`,
    ],
    ['Flow', settings.flow === 'code' ? 'code (authorization code with PKCE)' : 'device (device code)'],
    ['Client ID', settings.provider.clientId],
    [
      'Client secret',
      reveal && settings.clientSecretValue
        ? settings.clientSecretValue
        : SECRET_SOURCES[settings.clientSecret],
    ],
    [
      'Secrets kept in',
      settings.store === 'keyring' ? 'the OS keyring (service "oauth-authorizer")' : 'the account file',
    ],
    ['Client authentication', settings.provider.clientAuth],
    ['Scopes', settings.provider.scopes?.join(' ')],
    [
      'Redirect URL',
      settings.flow === 'code' ? (settings.redirectUrl ?? "the preset's default (any free port)") : undefined,
    ],
    ['Issuer', settings.provider.issuer],
    ['Authorization URL', settings.provider.authorizationUrl],
    ['Device code URL', settings.provider.deviceAuthorizationUrl],
    ['Token URL', settings.provider.tokenUrl],
    ['Revocation URL', settings.provider.revocationUrl ?? 'none'],
    [
      'Parameters',
      settings.parameters && Object.keys(settings.parameters).length > 0
        ? Object.entries(settings.parameters)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ')
        : undefined,
    ],
    [
      'Extra parameters',
      settings.provider.authorizationParams
        ? Object.entries(settings.provider.authorizationParams)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ')
        : undefined,
    ],
    ['Login hint', settings.loginHint],
  ];
  for (const protocol of ['imap', 'smtp', 'pop3'] as const) {
    const server = settings.mail?.[protocol];
    if (server) rows.push([protocol.toUpperCase(), `${server.host}:${server.port} (${server.tls})`]);
  }
  if (settings.mail) rows.push(['SASL', settings.mail.sasl]);
  rows.push(['Status', status]);
  if (record.authorizationRequired) {
    rows.push([
      'Needs authorization',
      `since ${new Date(record.authorizationRequired.since).toISOString()}: ${record.authorizationRequired.reason}`,
    ]);
  }
  if (tokens) {
    rows.push(['Access token', reveal ? tokens.accessToken : '(hidden; --reveal shows it)']);
    rows.push(['Expires', describeExpiry(tokens.expiresAt)]);
    rows.push([
      'Refresh token',
      tokens.refreshToken ? (reveal ? tokens.refreshToken : '(hidden; --reveal shows it)') : 'none',
    ]);
    // Its age is what provider limits go by (Google "Testing" 7 days; `status` compares them).
    if (tokens.refreshToken && tokens.refreshTokenObtainedAt !== undefined)
      rows.push([
        'Refresh token age',
        `${describeDuration(Date.now() - tokens.refreshTokenObtainedAt)} (obtained ${new Date(tokens.refreshTokenObtainedAt).toISOString()})`,
      ]);
    rows.push(['Granted scopes', tokens.scope]);
    rows.push(['Obtained', new Date(tokens.obtainedAt).toISOString()]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  for (const [label, value] of rows) {
    if (value !== undefined && value !== '') output.data(`${s.bold(`${label}:`.padEnd(width))} ${value}`);
  }
  return EXIT_OK;
}
