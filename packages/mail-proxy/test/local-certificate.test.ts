import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import {
  hashPassword,
  MAIL_PROXY_INVALID_CONFIG,
  parseProxyConfig,
  startMailProxy,
} from '@oauth-authorizer/mail-proxy';
import { describe, expect, it } from 'vitest';
import { closedPort } from './fixtures.js';

async function config() {
  return parseProxyConfig({
    users: { printer: { account: 'a@example.test', password: await hashPassword('x', { N: 1024 }) } },
    listeners: [
      {
        protocol: 'smtp',
        host: '127.0.0.1',
        port: 0,
        tls: { mode: 'implicit' },
        upstream: { host: '127.0.0.1', port: await closedPort(), tls: 'none' },
      },
    ],
  });
}

const noTokens = () => ({ getAccessToken: () => Promise.reject(new Error('unused')) });

describe("the proxy's own certificate for a TLS listener without cert and key", () => {
  it('is made once (0600, in a 0700 directory), served, and reused by the next start', async () => {
    const directory = join(await mkdtemp(join(tmpdir(), 'proxy-tls-')), 'proxy-tls');
    const proxy = await startMailProxy(await config(), {
      tokenSource: noTokens,
      logger: () => undefined,
      certificateDirectory: directory,
    });
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: proxy.listeners[0]?.port as number,
        rejectUnauthorized: false,
      });
      await once(socket, 'secureConnect');
      const [greeting] = await once(socket.setEncoding('utf8'), 'data');
      expect(greeting).toMatch(/^220 /);
      const served = socket.getPeerX509Certificate();
      socket.destroy();
      const cert = await readFile(join(directory, 'cert.pem'), 'utf8');
      expect(served?.fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
      expect(new X509Certificate(cert).subjectAltName).toContain('IP Address:127.0.0.1');
      expect((await stat(join(directory, 'key.pem'))).mode & 0o777).toBe(0o600);
      expect((await stat(directory)).mode & 0o777).toBe(0o700);
    } finally {
      await proxy.close(0);
    }
    const first = await readFile(join(directory, 'cert.pem'), 'utf8');
    const again = await startMailProxy(await config(), {
      tokenSource: noTokens,
      logger: () => undefined,
      certificateDirectory: directory,
    });
    await again.close(0);
    // The second start reuses the certificate made by the first: the same file, unchanged.
    expect(await readFile(join(directory, 'cert.pem'), 'utf8')).toBe(first);
  });

  it('fails the start, naming the field, when there is no certificate directory', async () => {
    await expect(
      startMailProxy(await config(), { tokenSource: noTokens, logger: () => undefined }),
    ).rejects.toMatchObject({
      code: MAIL_PROXY_INVALID_CONFIG,
      field: 'listeners[0].tls.cert',
    });
  });
});
