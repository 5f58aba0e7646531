/**
 * The self-signed certificate of an `https://127.0.0.1:PORT/…` redirect (providers such as Yahoo
 * refuse plain-http loopback redirects): made once with `openssl` — Node can sign with a key but
 * not build an X.509 certificate — and kept under the CLI's home, mode 0600, for every later
 * authorization.
 *
 * @module
 */
import { join } from 'node:path';
import { ensureSelfSignedCertificate, OpensslError } from '@oauth-authorizer/core';
import { CLI_CERTIFICATE_FAILED, cliError } from './errors.js';

/** The loopback certificate and where it is kept. */
export interface LoopbackCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM. */
  cert: string;
  /** The certificate's file, for a person who wants to trust it in the browser. */
  certFile: string;
  /** Whether it was made just now. */
  created: boolean;
}

/** How long the certificate is valid: 10 years, so that it is made once. */
const VALID_DAYS = 3650;

/**
 * The directory of the loopback certificate: `<home>/tls/loopback` (`key.pem`, `cert.pem`).
 *
 * @example
 * ```ts
 * loopbackCertificateDirectory('/home/me/.config/oauth-authorizer'); // '/home/me/.config/oauth-authorizer/tls/loopback'
 * ```
 */
export function loopbackCertificateDirectory(home: string): string {
  return join(home, 'tls', 'loopback');
}

/**
 * The certificate for 127.0.0.1, ::1 and localhost under `home`, valid 10 years: read when it is
 * there, else made (core's `ensureSelfSignedCertificate`: mode 0600 in 0700 directories, safe
 * against concurrent runs).
 *
 * @throws {AuthorizerError} `CLI_CERTIFICATE_FAILED` when `openssl` is missing or fails, or the
 *   certificate cannot be kept.
 *
 * @example
 * ```ts
 * const { key, cert } = await loopbackCertificate(context.home);
 * new RedirectListener('https://127.0.0.1:8443/callback', { https: { key, cert } });
 * ```
 */
export async function loopbackCertificate(home: string): Promise<LoopbackCertificate> {
  const directory = loopbackCertificateDirectory(home);
  try {
    const { key, cert, certFile, created } = await ensureSelfSignedCertificate(directory, {
      commonName: 'oauth-authorizer loopback redirect',
      subjectAltNames: ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost'],
      validDays: VALID_DAYS,
    });
    return { key, cert, certFile, created };
  } catch (error) {
    if (!(error instanceof OpensslError))
      throw cliError(CLI_CERTIFICATE_FAILED, (error as Error).message, { cause: error });
    throw cliError(
      CLI_CERTIFICATE_FAILED,
      error.missing
        ? 'an https redirect needs a certificate, and openssl, which makes it, was not found'
        : 'an https redirect needs a certificate, and openssl could not make it',
      {
        hint: 'install openssl, or use an http://127.0.0.1 redirect URL (--redirect-url) where the provider takes one',
        cause: error,
      },
    );
  }
}
