import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate, OpensslError } from '../src/self-signed-certificate.js';

let root: string;
const options = { commonName: 'test', subjectAltNames: ['IP:127.0.0.1', 'DNS:localhost'] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'oauth-authorizer-certificate-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Whether `key` is the private key of `cert`. */
function pairs(key: string, cert: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' });
  return new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }).equals(fromKey);
}

describe('ensureSelfSignedCertificate()', () => {
  it('makes the certificate once (0600 files in a 0700 directory) with the names asked for, then reuses it', async () => {
    const directory = join(root, 'once', 'tls');
    const made = await ensureSelfSignedCertificate(directory, options);
    expect(made.created).toBe(true);
    expect(new X509Certificate(made.cert).subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(pairs(made.key, made.cert)).toBe(true);
    for (const file of [made.keyFile, made.certFile]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const again = await ensureSelfSignedCertificate(directory, options);
    expect(again).toMatchObject({ created: false, cert: made.cert, key: made.key });
  });

  it('gives concurrent first runs one certificate, whose key is its own', async () => {
    const directory = join(root, 'concurrent', 'tls');
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => ensureSelfSignedCertificate(directory, options)),
    );
    expect(new Set(runs.map((run) => run.cert)).size).toBe(1);
    expect(runs.filter((run) => run.created)).toHaveLength(1);
    expect(pairs(runs[0]!.key, runs[0]!.cert)).toBe(true);
  });

  it('says openssl is missing with an OpensslError, and leaves nothing behind', async () => {
    const directory = join(root, 'no-openssl', 'tls');
    const path = process.env.PATH;
    process.env.PATH = join(root, 'empty');
    try {
      const failure = await ensureSelfSignedCertificate(directory, options).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpensslError);
      expect((failure as OpensslError).missing).toBe(true);
    } finally {
      process.env.PATH = path;
    }
    await expect(stat(directory)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
