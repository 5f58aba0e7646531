import type { TokenSet } from '@oauth-authorizer/core';
import type { Flow } from '@oauth-authorizer/presets';
import { CLIENT_SECRET_VARIABLE, type ClientSecretSource } from './account-settings.js';
import { shellQuote } from './errors.js';
import type { Output } from './output.js';
import { describeExpiry, isoOrNull } from './token-status.js';

/** What {@link printAuthorization} reports. */
export interface AuthorizationReport {
  account: string;
  presetId: string;
  flow: Flow;
  tokens: TokenSet;
  /** The scopes asked for, shown when the server did not say which it granted. */
  requestedScopes: readonly string[];
  secretSource: ClientSecretSource;
  /** Print JSON on stdout instead of the labelled lines. */
  json: boolean;
}

/**
 * Shows a new authorization: its tokens, expiry and scopes on stdout (labelled lines, or JSON),
 * then on stderr that it was stored, and what `token` needs later (a refresh token, the secret in
 * `OAUTH_AUTHORIZER_CLIENT_SECRET`).
 *
 * @example
 * ```ts
 * printAuthorization(output, { account, presetId: 'google', flow: 'code', tokens, requestedScopes, secretSource: 'stored', json: false });
 * ```
 */
export function printAuthorization(output: Output, report: AuthorizationReport): void {
  const { account, tokens, flow } = report;
  const scope = tokens.scope ?? report.requestedScopes.join(' ');
  const appOnly = flow === 'client_credentials';
  if (report.json) {
    output.json({
      account,
      preset: report.presetId,
      token_type: tokens.tokenType,
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken ?? null,
      expires_at: isoOrNull(tokens.expiresAt),
      scope: scope === '' ? null : scope,
    });
  } else {
    const s = output.style;
    output.data(
      [
        `${s.bold('Bearer token: ')} ${tokens.accessToken}`,
        `${s.bold('Refresh token:')} ${tokens.refreshToken ?? (appOnly ? '(none: app-only access needs none)' : '(none: the provider issued no refresh token)')}`,
        `${s.bold('Expires:      ')} ${describeExpiry(tokens.expiresAt)}`,
        `${s.bold('Scopes:       ')} ${scope || '(none)'}`,
      ].join('\n'),
    );
  }
  const es = output.errorStyle;
  output.info(es.green(`Authorized ${account} (preset ${report.presetId}, ${flow} flow) and stored it.`));
  if (appOnly) {
    output.info(
      es.dim(
        `"oauth-authorizer token ${shellQuote(account)}" gets a new access token with the client's credentials whenever it expires.`,
      ),
    );
  } else if (!tokens.refreshToken) {
    output.warn(
      'no refresh token was issued, so "token" cannot renew the access token when it expires (ask for offline access, e.g. the offline_access scope)',
    );
  }
  if (report.secretSource === 'environment') {
    output.info(
      es.dim(
        `The client secret was not stored: set ${CLIENT_SECRET_VARIABLE} where "oauth-authorizer token ${shellQuote(account)}" runs, or authorize again with --save-client-secret.`,
      ),
    );
  }
}
