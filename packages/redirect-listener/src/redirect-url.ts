import { AuthorizerError, OAUTH_INVALID_CONFIGURATION, OAUTH_LISTENER_FAILED } from '@oauth-authorizer/core';

/** Where and how to listen, read from a redirect URL. */
export interface RedirectTarget {
  protocol: 'http:' | 'https:';
  /** The host as it appears in URLs (an IPv6 address in brackets), normalised by the WHATWG URL parser. */
  host: string;
  /**
   * Addresses to bind, all on the same port. The first one must work; the others may be missing
   * from the machine (no IPv6) but must not be taken by somebody else.
   */
  addresses: string[];
  /** The port to listen on; 0 for any free port. */
  port: number;
  /** The path a callback must arrive on. */
  path: string;
  /** What follows the port in the reported redirect URI: the path as written, then the query. */
  suffix: string;
}

/**
 * Splits the authority off by hand: the WHATWG parser drops a port equal to the scheme's default
 * (`:80`, `:443`), which would turn "listen on port 80" into "any free port".
 */
const AUTHORITY = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([/?#]|$)/i;

const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

function invalid(message: string, hint: string): AuthorizerError {
  return new AuthorizerError(OAUTH_INVALID_CONFIGURATION, message, { hint });
}

/** Whether `hostname` (as the WHATWG parser gives it) names this machine's loopback interface. */
export function isLoopbackHostname(hostname: string): boolean {
  return (
    IPV4_LOOPBACK.test(hostname) ||
    hostname === '[::1]' ||
    hostname === 'localhost' ||
    hostname.endsWith('.localhost')
  );
}

/**
 * Reads a redirect URL such as `http://127.0.0.1:0/callback` into a {@link RedirectTarget}.
 *
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` for a URL the listener cannot serve,
 *   `OAUTH_LISTENER_FAILED` for a host that is not loopback without `allowNonLoopback`.
 */
export function parseRedirectUrl(
  redirectUrl: string,
  options: { https: boolean; allowNonLoopback: boolean },
): RedirectTarget {
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch {
    throw invalid(
      `redirect URL must be an absolute http: URL, got "${redirectUrl.slice(0, 200)}"`,
      'use a URL such as http://127.0.0.1:0/callback',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(
      `redirect URL must use http: or https:, got "${url.protocol}"`,
      'use a URL such as http://127.0.0.1:0/callback',
    );
  }
  if (url.protocol === 'https:' && !options.https) {
    throw invalid(
      'an https: redirect URL needs a certificate: pass the "https" option with "key" and "cert"',
      'pass https: { key, cert }, or use an http: loopback redirect URL',
    );
  }
  if (url.protocol === 'http:' && options.https) {
    throw invalid(
      'the "https" option was given but the redirect URL uses http:',
      'use an https: redirect URL, or drop the "https" option',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('redirect URL must not contain a user name or password', 'remove the "user@" part');
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment component.
  if (redirectUrl.includes('#')) {
    throw invalid('redirect URL must not contain a fragment ("#...")', 'remove the "#" part');
  }
  const authority = AUTHORITY.exec(redirectUrl);
  const writtenPort = authority?.[2];
  const hasPath = authority?.[3] === '/';
  const port = writtenPort ? Number(writtenPort) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalid(`redirect URL port must be 0 to 65535, got ${writtenPort}`, 'use port 0 for any free port');
  }

  const host = url.hostname;
  let addresses: string[];
  if (IPV4_LOOPBACK.test(host)) addresses = [host];
  else if (host === '[::1]') addresses = ['::1'];
  // Browsers resolve `localhost` to either family, so both must reach this listener (RFC 8252 §8.3).
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1', '::1'];
  else if (options.allowNonLoopback) addresses = [host.replace(/^\[|\]$/g, '')];
  else {
    throw new AuthorizerError(
      OAUTH_LISTENER_FAILED,
      `refusing to listen on "${host}": the redirect listener binds loopback addresses only (127.0.0.1, [::1], localhost)`,
      {
        hint: 'use http://127.0.0.1:0/callback, or pass allowNonLoopback: true if other machines really must reach it',
      },
    );
  }

  return {
    protocol: url.protocol,
    host,
    addresses,
    port,
    path: url.pathname,
    suffix: `${hasPath ? url.pathname : ''}${url.search}`,
  };
}
