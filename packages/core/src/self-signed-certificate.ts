/**
 * A self-signed certificate made once with `openssl` and kept for reuse: for an
 * `https://127.0.0.1:PORT/…` redirect (the CLI) or a local TLS listener (the mail proxy). Node can
 * sign with a key but not build an X.509 certificate, hence `openssl`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A kept self-signed certificate. */
export interface SelfSignedCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM. */
  cert: string;
  keyFile: string;
  certFile: string;
  /** Whether it was made just now (else it was there already, or another process made it first). */
  created: boolean;
}

/** What {@link ensureSelfSignedCertificate} puts in a new certificate. */
export interface SelfSignedCertificateOptions {
  /** The subject's common name. */
  commonName: string;
  /** The subjectAltName entries, as openssl writes them: `IP:127.0.0.1`, `DNS:localhost`. */
  subjectAltNames: readonly string[];
  /** How long it is valid. Default: 3650 (made once) */
  validDays?: number;
}

/** `openssl` could not make the certificate: it is not installed (`missing`), or it failed. */
export class OpensslError extends Error {
  /** Whether `openssl` was not found. */
  readonly missing: boolean;
  /** What openssl wrote to stderr. */
  readonly stderr: string;

  constructor(cause: Error & { code?: string | number | null | undefined }, stderr: string) {
    super(cause.message, { cause });
    this.name = 'OpensslError';
    this.missing = cause.code === 'ENOENT';
    this.stderr = stderr;
  }
}

function runOpenssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', [...args], { timeout: 30_000 }, (error, _stdout, stderr) =>
      error ? reject(new OpensslError(error, String(stderr))) : resolve(),
    );
  });
}

async function readCertificate(
  keyFile: string,
  certFile: string,
): Promise<{ key: string; cert: string } | undefined> {
  try {
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    return { key, cert };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The certificate in `directory` (`key.pem`, `cert.pem`): read when it is there, else made with
 * `openssl` (an EC P-256 key) in a private temporary directory beside it that is then renamed into
 * place whole, so that concurrent runs never pair one run's key with another's certificate (the
 * loser uses the winner's). Key and certificate are mode 0600, the directories 0700.
 *
 * @throws {OpensslError} when `openssl` is missing or fails; callers say what the certificate was for.
 * @throws {Error} when the certificate cannot be put in place or read back.
 * @example
 * ```ts
 * const { key, cert } = await ensureSelfSignedCertificate(join(home, 'tls', 'loopback'), {
 *   commonName: 'oauth-authorizer loopback redirect',
 *   subjectAltNames: ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost'],
 * });
 * ```
 */
export async function ensureSelfSignedCertificate(
  directory: string,
  options: SelfSignedCertificateOptions,
): Promise<SelfSignedCertificate> {
  const keyFile = join(directory, 'key.pem');
  const certFile = join(directory, 'cert.pem');
  const existing = await readCertificate(keyFile, certFile);
  if (existing) return { ...existing, keyFile, certFile, created: false };
  const parent = dirname(directory);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(parent, '.new-'));
  let created = true;
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
      String(options.validDays ?? 3650),
      '-subj',
      `/CN=${options.commonName}`,
      '-addext',
      `subjectAltName=${options.subjectAltNames.join(',')}`,
      '-keyout',
      join(scratch, 'key.pem'),
      '-out',
      join(scratch, 'cert.pem'),
    ]);
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
  const made = await readCertificate(keyFile, certFile);
  if (!made) throw new Error(`the certificate in ${directory} could not be read back`);
  return { ...made, keyFile, certFile, created };
}
