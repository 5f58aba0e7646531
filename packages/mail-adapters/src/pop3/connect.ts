import {
  type AccessTokenSource,
  assertAccessTokenSource,
  type TokenRequestOptions,
} from '../access-token-source.js';
import { MAIL_AUTH_FAILED, MailAuthenticationError } from '../errors.js';
import { SASL_MECHANISMS, type SaslMechanism } from '../sasl.js';
import { withTokenRetry } from '../token-retry.js';
import { Pop3Client, type Pop3ConnectionOptions } from './client.js';
import type { Pop3Capabilities } from './response-parser.js';

/**
 * Options of {@link connectPop3}.
 *
 * @example
 * ```ts
 * const options: Pop3ConnectOptions = { user: 'me@example.com', host: 'pop.example.com', port: 995, tls: 'implicit', mechanism: 'XOAUTH2' };
 * ```
 */
export interface Pop3ConnectOptions extends Pop3ConnectionOptions, TokenRequestOptions {
  /** The mailbox user, usually the e-mail address; must match the token's owner. */
  user: string;
  /** The SASL mechanism. Default: OAUTHBEARER when the server lists it in CAPA, else XOAUTH2 */
  mechanism?: SaslMechanism;
}

/** Picks the mechanism: the one asked for (if the server lists SASL at all, it must be there), else OAUTHBEARER before XOAUTH2. */
function chooseMechanism(
  capabilities: Pop3Capabilities,
  wanted: SaslMechanism | undefined,
  user: string,
  host: string,
): SaslMechanism {
  const offered = capabilities.get('SASL')?.map((name) => name.toUpperCase());
  if (offered === undefined) return wanted ?? 'XOAUTH2';
  const usable = (wanted ? [wanted] : ['OAUTHBEARER', 'XOAUTH2']).find((name) => offered.includes(name));
  if (usable) return usable as SaslMechanism;
  throw new MailAuthenticationError(
    `POP3 server ${host} offers SASL ${offered.join(' ') || '(none)'}, not ${wanted ?? 'OAUTHBEARER or XOAUTH2'}`,
    { code: MAIL_AUTH_FAILED, protocol: 'pop3', user, mechanism: wanted },
  );
}

/**
 * Connects to a POP3 server and logs in with a token from `source`. When the server rejects the
 * token, it gets a replacement once (a forced refresh, unless the source already holds a newer
 * token) and logs in once more, on the same connection if the server kept it open; a second
 * rejection is a {@link MailAuthenticationError} with the server's reply and challenge.
 *
 * @param source A `TokenManager`, or any {@link AccessTokenSource}.
 * @throws {MailAuthenticationError} `OAUTH_TOKEN_REJECTED` (rejected twice, or no replacement
 *   token: `cause` says why) or `MAIL_AUTH_FAILED` (no usable mechanism; a temporary server failure).
 * @throws {AuthorizerError} from the source (e.g. `OAUTH_AUTHORIZATION_REQUIRED`) and from
 *   {@link Pop3Client.connect} (`OAUTH_NETWORK_ERROR`, `OAUTH_TIMEOUT`, `MAIL_TLS_UNAVAILABLE`, …).
 * @example
 * ```ts
 * const pop3 = await connectPop3(manager, { user: 'me@example.com', host: 'pop.example.com', port: 995, tls: 'implicit' });
 * for (const { number, uid } of await pop3.uidl()) console.log(number, uid);
 * await pop3.quit();
 * ```
 */
export async function connectPop3(
  source: AccessTokenSource,
  options: Pop3ConnectOptions,
): Promise<Pop3Client> {
  assertAccessTokenSource(source);
  const { user, mechanism: wanted } = options;
  if (typeof user !== 'string' || user === '') throw new TypeError('POP3 "user" must be a non-empty string');
  if (wanted !== undefined && !SASL_MECHANISMS.includes(wanted)) {
    throw new TypeError(`POP3 "mechanism" must be XOAUTH2 or OAUTHBEARER, got ${String(wanted)}`);
  }
  let client: Pop3Client | undefined;
  let mechanism: SaslMechanism | undefined;
  try {
    return await withTokenRetry(source, options, async (token) => {
      if (!client || client.closed) {
        client?.close();
        client = await Pop3Client.connect(options);
        const signal = options.signal;
        mechanism = chooseMechanism(
          await client.capabilities(signal ? { signal } : {}),
          wanted,
          user,
          options.host,
        );
      }
      await client.authenticate(
        mechanism!,
        { user, token },
        options.signal ? { signal: options.signal } : {},
      );
      return client;
    });
  } catch (error) {
    (client as Pop3Client | undefined)?.close();
    throw error;
  }
}
