import {
  AuthorizerError,
  isLoopbackHost,
  MAIL_TLS_MODES,
  type MailTls,
  OAUTH_INSECURE_ENDPOINT,
  type SaslMechanism,
} from '@oauth-authorizer/core';
import type { MailProtocol } from './errors.js';

// One definition, in core (presets call it TlsMode); re-exported here, where mail code looks for it.
export type { MailTls } from '@oauth-authorizer/core';

/**
 * A mail server, as a preset describes it. Structurally the same as the presets package's `MailServer`.
 *
 * @example
 * ```ts
 * const smtp: MailServer = { host: 'smtp.office365.com', port: 587, tls: 'starttls' };
 * ```
 */
export interface MailServer {
  host: string;
  port: number;
  tls: MailTls;
}

/**
 * The mail servers of a provider, as a preset describes them (`preset.mail`).
 *
 * @example
 * ```ts
 * const mail: MailSettings = {
 *   imap: { host: 'imap.gmail.com', port: 993, tls: 'implicit' },
 *   smtp: { host: 'smtp.gmail.com', port: 465, tls: 'implicit' },
 *   sasl: 'XOAUTH2',
 * };
 * ```
 */
export interface MailSettings {
  imap?: MailServer;
  smtp?: MailServer;
  pop3?: MailServer;
  /** The SASL mechanism the provider expects. Default: what the server offers, OAUTHBEARER first */
  sasl?: SaslMechanism;
}

/**
 * Options shared by the adapters that decide how a connection is secured.
 *
 * @example
 * ```ts
 * await connectPop3(manager, { user, host: 'pop.lan', port: 110, tls: 'none', dangerouslyAllowPlaintext: true });
 * ```
 */
export interface TransportSecurityOptions {
  /**
   * Allows `tls: 'none'` to a host that is not loopback. The bearer token would cross the network
   * in clear text; the name is long so nobody sets it by accident. Default: false
   */
  dangerouslyAllowPlaintext?: boolean;
}

const IMPLICIT_TLS_PORTS = new Set([465, 993, 995]);

/** The TLS mode for a port when none is given: implicit on 465/993/995, STARTTLS elsewhere; never none. */
export function defaultTls(port: number): MailTls {
  return IMPLICIT_TLS_PORTS.has(port) ? 'implicit' : 'starttls';
}

/**
 * Checks the connection settings an adapter got.
 *
 * @throws {TypeError} for a missing host or a port out of range, or an unknown TLS mode.
 * @throws {AuthorizerError} `OAUTH_INSECURE_ENDPOINT` for `tls: 'none'` to a non-loopback host without `dangerouslyAllowPlaintext`.
 */
export function checkMailServer(
  protocol: MailProtocol,
  server: { host: unknown; port: unknown; tls: unknown },
  options: TransportSecurityOptions = {},
): asserts server is MailServer {
  if (typeof server.host !== 'string' || server.host === '') {
    throw new TypeError(`${protocol} "host" must be a non-empty string`);
  }
  if (
    typeof server.port !== 'number' ||
    !Number.isInteger(server.port) ||
    server.port < 1 ||
    server.port > 65535
  ) {
    throw new TypeError(`${protocol} "port" must be an integer from 1 to 65535, got ${String(server.port)}`);
  }
  if (!(MAIL_TLS_MODES as readonly unknown[]).includes(server.tls)) {
    throw new TypeError(
      `${protocol} "tls" must be 'implicit', 'starttls' or 'none', got ${String(server.tls)}`,
    );
  }
  if (server.tls === 'none' && !isLoopbackHost(server.host) && !options.dangerouslyAllowPlaintext) {
    throw new AuthorizerError(
      OAUTH_INSECURE_ENDPOINT,
      `${protocol} without TLS is allowed to loopback hosts only, got "${server.host}"`,
      { hint: `use tls: 'implicit' or 'starttls'` },
    );
  }
}
