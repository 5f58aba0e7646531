/**
 * Microsoft's profile: loopback redirects on any port (Mobile and desktop applications), and
 * error bodies as the identity platform sends them: `error`, an `error_description` that starts
 * with the AADSTS code and ends with trace and correlation IDs, `error_codes`, `timestamp`,
 * `trace_id`, `correlation_id` and `error_uri`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (the error response fields)
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type ProfileClient, type ProfileServer, startProfileServer } from './profile-server.js';

/** The AADSTS code Microsoft gives each OAuth error the profile produces, unless the description names one. */
const DEFAULT_CODES: Record<string, string> = {
  invalid_client: 'AADSTS7000215: Invalid client secret provided.',
  invalid_grant: 'AADSTS70000: The provided grant is invalid or malformed.',
};

/**
 * Starts Microsoft's profile for `client`.
 *
 * @example
 * ```ts
 * const microsoft = await startMicrosoftProfile({ clientId, redirectUris: ['http://localhost/'] });
 * ```
 */
export function startMicrosoftProfile(client: ProfileClient): Promise<ProfileServer> {
  return startProfileServer(client, {
    redirectMatching: 'loopback-any-port',
    authorizationPath: '/common/oauth2/v2.0/authorize',
    tokenPath: '/common/oauth2/v2.0/token',
    formatError: ({ status, error, description }) => {
      const text = /^AADSTS\d+/.test(description) ? description : (DEFAULT_CODES[error] ?? description);
      const traceId = randomUUID();
      const correlationId = randomUUID();
      const timestamp = new Date().toISOString().replace('T', ' ').replace(/\..*$/, 'Z');
      return {
        status,
        body: {
          error,
          error_description: `${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
          error_codes: [Number(/^AADSTS(\d+)/.exec(text)?.[1] ?? 0)],
          timestamp,
          trace_id: traceId,
          correlation_id: correlationId,
          error_uri: 'https://login.microsoftonline.com/error?code=' + (/^AADSTS(\d+)/.exec(text)?.[1] ?? ''),
        },
      };
    },
  });
}
