/**
 * The self-signed certificate of an `https://127.0.0.1:PORT/…` redirect (providers such as Yahoo
 * refuse plain-http loopback redirects): made once with `openssl` — Node can sign with a key but
 * not build an X.509 certificate — and kept under the CLI's home, mode 0600, for every later
 * authorization.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

function runOpenssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', [...args], { timeout: 30_000 }, (error) => (error ? reject(error) : resolve()));
  });
}

async function readCertificate(directory: string): Promise<{ key: string; cert: string } | undefined> {
  try {
    const [key, cert] = await Promise.all([
      readFile(join(directory, 'key.pem'), 'utf8'),
      readFile(join(directory, 'cert.pem'), 'utf8'),
    ]);
    return { key, cert };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The certificate for 127.0.0.1, ::1 and localhost under `home`: read when it is there, else
 * made with `openssl` (an EC P-256 key, valid 10 years) in a private temporary directory that is
 * then renamed into place whole — so concurrent runs never pair one run's key with another's
 * certificate — with key and certificate mode 0600 in 0700 directories.
 *
 * @throws {AuthorizerError} `CLI_CERTIFICATE_FAILED` when `openssl` is missing or fails.
 *
 * @example
 * ```ts
 * const { key, cert } = await loopbackCertificate(context.home);
 * new RedirectListener('https://127.0.0.1:8443/callback', { https: { key, cert } });
 * ```
 */
export async function loopbackCertificate(home: string): Promise<LoopbackCertificate> {
  const directory = loopbackCertificateDirectory(home);
  const certFile = join(directory, 'cert.pem');
  const existing = await readCertificate(directory);
  if (existing) return { ...existing, certFile, created: false };
  const parent = dirname(directory);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(parent, '.new-'));
  let created = true;
  try {
    try {
      await runOpenssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        String(VALID_DAYS),
        '-subj',
        '/CN=oauth-authorizer loopback redirect',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-keyout',
        join(scratch, 'key.pem'),
        '-out',
        join(scratch, 'cert.pem'),
      ]);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw cliError(
        CLI_CERTIFICATE_FAILED,
        missing
          ? 'an https redirect needs a certificate, and openssl, which makes it, was not found'
          : 'an https redirect needs a certificate, and openssl could not make it',
        {
          hint: 'install openssl, or use an http://127.0.0.1 redirect URL (--redirect-url) where the provider takes one',
          cause: error,
        },
      );
    }
    await chmod(join(scratch, 'key.pem'), 0o600);
    await chmod(join(scratch, 'cert.pem'), 0o600);
    try {
      await rename(scratch, directory);
    } catch (error) {
      // Another run put its certificate in place first: that one is used.
      if (!['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? ''))
        throw error;
      created = false;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const made = await readCertificate(directory);
  if (!made) throw cliError(CLI_CERTIFICATE_FAILED, `the certificate in ${directory} could not be read back`);
  return { ...made, certFile, created };
}
