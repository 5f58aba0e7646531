import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuthorizerError } from '@oauth-authorizer/core';
import { MAIL_PROXY_INVALID_CONFIG } from './errors.js';

/** A certificate and its key, PEM. */
export interface LocalCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, _stdout, stderr) =>
      error ? reject(Object.assign(error, { stderr })) : resolve(),
    );
  });
}

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
  const certFile = join(directory, 'cert.pem');
  const keyFile = join(directory, 'key.pem');
  try {
    return {
      cert: await readFile(certFile, 'utf8'),
      key: await readFile(keyFile, 'utf8'),
      certFile,
      keyFile,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const names = new Set([`DNS:${hostname()}`, 'DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const address of addresses) {
    if (WILDCARD.has(address)) continue;
    names.add(
      isIP(address.replace(/^\[|\]$/g, '')) ? `IP:${address.replace(/^\[|\]$/g, '')}` : `DNS:${address}`,
    );
  }
  const suffix = `${process.pid}.${Date.now()}.tmp`;
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      `/CN=${hostname()}`,
      '-addext',
      `subjectAltName=${[...names].join(',')}`,
      '-keyout',
      `${keyFile}.${suffix}`,
      '-out',
      `${certFile}.${suffix}`,
    ]);
    await chmod(`${keyFile}.${suffix}`, 0o600);
    await chmod(`${certFile}.${suffix}`, 0o600);
    await rename(`${keyFile}.${suffix}`, keyFile);
    await rename(`${certFile}.${suffix}`, certFile);
  } catch (error) {
    await rm(`${keyFile}.${suffix}`, { force: true });
    await rm(`${certFile}.${suffix}`, { force: true });
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'openssl is not installed'
        : (error as Error).message;
    throw new AuthorizerError(
      MAIL_PROXY_INVALID_CONFIG,
      `cannot make the proxy's TLS certificate in ${directory}: ${reason}`,
      {
        cause: error,
        hint: 'install openssl, or give "tls": { "cert": …, "key": … } for each listener',
      },
    );
  }
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}
