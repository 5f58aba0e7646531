import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { AuthorizerError, ensureSelfSignedCertificate, OpensslError } from '@oauth-authorizer/core';
import { MAIL_PROXY_INVALID_CONFIG } from './errors.js';

/** A certificate and its key, PEM. */
export interface LocalCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The proxy's own certificate for local TLS when the configuration gives none: made once with
 * `openssl` (a self-signed P-256 certificate for 10 years, for the machine's host name, `localhost`,
 * `127.0.0.1` and each listener address), stored as `cert.pem` and `key.pem` (0600) in
 * `directory` (0700), and reused after that. Devices that check certificates need it installed as
 * trusted, or a certificate of your own in `tls.cert` / `tls.key`.
 *
 * @param addresses The listeners' addresses, added to the certificate's names (wildcards are skipped).
 * @throws {AuthorizerError} `MAIL_PROXY_INVALID_CONFIG` when `openssl` is not there or fails.
 * @example
 * ```ts
 * const { cert, key } = await ensureLocalCertificate(join(home, 'proxy-tls'), ['192.168.1.10']);
 * ```
 */
export async function ensureLocalCertificate(
  directory: string,
  addresses: readonly string[] = [],
): Promise<LocalCertificate> {
  const names = new Set([`DNS:${hostname()}`, 'DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const address of addresses) {
    if (WILDCARD.has(address)) continue;
    const bare = address.replace(/^\[|\]$/g, '');
    names.add(isIP(bare) ? `IP:${bare}` : `DNS:${address}`);
  }
  try {
    const { cert, key, certFile, keyFile } = await ensureSelfSignedCertificate(directory, {
      commonName: hostname(),
      subjectAltNames: [...names],
    });
    return { cert, key, certFile, keyFile };
  } catch (error) {
    const reason =
      error instanceof OpensslError && error.missing ? 'openssl is not installed' : (error as Error).message;
    throw new AuthorizerError(
      MAIL_PROXY_INVALID_CONFIG,
      `cannot make the proxy's TLS certificate in ${directory}: ${reason}`,
      {
        cause: error,
        hint: 'install openssl, or give "tls": { "cert": …, "key": … } for each listener',
      },
    );
  }
}
