import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and its key, as files and as PEM text. */
export interface SelfSignedCertificate {
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

/**
 * Makes a throw-away self-signed certificate for 127.0.0.1, ::1 and localhost, valid for a day,
 * with `openssl` (as a user would for a provider that wants https redirects): `key.pem` and
 * `cert.pem` in `directory`.
 *
 * @example
 * ```ts
 * const { key, cert } = createSelfSignedCertificate(await mkdtemp(join(tmpdir(), 'tls-')));
 * ```
 */
export function createSelfSignedCertificate(directory: string): SelfSignedCertificate {
  const keyFile = join(directory, 'key.pem');
  const certFile = join(directory, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
