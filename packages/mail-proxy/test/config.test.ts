import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hashPassword,
  loadProxyConfig,
  MAIL_PROXY_INSECURE_LISTENER,
  MAIL_PROXY_INVALID_CONFIG,
  MAIL_PROXY_INVALID_PASSWORD_HASH,
  ProxyConfigError,
  parseProxyConfig,
  verifyPassword,
} from '@oauth-authorizer/mail-proxy';
import { beforeAll, describe, expect, it } from 'vitest';

let hash: string;
beforeAll(async () => {
  hash = await hashPassword('printer secret', { N: 1024 });
});

const upstream = { host: 'smtp.example.com', port: 587, tls: 'starttls' };
type Json = Record<string, unknown>;
interface Draft {
  users: Record<string, Json>;
  listeners: Json[];
  limits?: Json;
}
const listener = (draft: Draft): Json => draft.listeners[0] as Json;
const base = (): Draft => ({
  users: { printer: { account: 'me@example.com', password: hash } },
  listeners: [{ protocol: 'smtp', port: 2525, upstream }],
});

function fieldOf(run: () => unknown): { code: string; field: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyConfigError);
    const { code, field, message } = error as ProxyConfigError;
    return { code, field, message };
  }
  throw new Error('expected a ProxyConfigError');
}

describe('parseProxyConfig()', () => {
  it('fills the defaults: loopback address, no local TLS, mailbox = account, default limits', () => {
    const config = parseProxyConfig(base(), '/etc/proxy');
    expect(config.listeners[0]).toMatchObject({
      name: 'smtp:2525',
      protocol: 'smtp',
      host: '127.0.0.1',
      tls: { mode: 'none' },
      upstream,
      users: undefined,
    });
    expect(config.users.printer).toEqual({
      account: 'me@example.com',
      mailbox: 'me@example.com',
      passwordHash: hash,
    });
    expect(config.limits.maxConnections).toBe(100);
    expect(config.limits.authFailureDelay).toBe(2);
  });

  it('resolves cert, key and ca files against the base directory', () => {
    const config = base();
    const listener = {
      ...config.listeners[0],
      host: '0.0.0.0',
      tls: { mode: 'implicit', cert: 'cert.pem', key: '/abs/key.pem' },
      upstream: { ...upstream, ca: 'ca.pem' },
    };
    const parsed = parseProxyConfig({ ...config, listeners: [listener] }, '/etc/proxy');
    expect(parsed.listeners[0]?.tls).toEqual({
      mode: 'implicit',
      certFile: '/etc/proxy/cert.pem',
      keyFile: '/abs/key.pem',
    });
    expect(parsed.listeners[0]?.upstream.caFile).toBe('/etc/proxy/ca.pem');
  });

  it('refuses a non-loopback listener without TLS with MAIL_PROXY_INSECURE_LISTENER', () => {
    const config = base();
    const error = fieldOf(() =>
      parseProxyConfig({ ...config, listeners: [{ ...config.listeners[0], host: '0.0.0.0' }] }),
    );
    expect(error.code).toBe(MAIL_PROXY_INSECURE_LISTENER);
    expect(error.field).toBe('listeners[0].tls');
  });

  it.each([
    ['listeners[0].upstream.port', (c: Draft) => (listener(c).upstream = { ...upstream, port: '587' })],
    ['listeners[0].upstream.tls', (c: Draft) => (listener(c).upstream = { ...upstream, tls: 'none' })],
    [
      'listeners[0].upstream.mechanism',
      (c: Draft) => (listener(c).upstream = { ...upstream, mechanism: 'PLAIN' }),
    ],
    ['listeners[0].protocol', (c: Draft) => (listener(c).protocol = 'nntp')],
    ['listeners[0].tls.cert', (c: Draft) => (listener(c).tls = { mode: 'starttls', key: 'k.pem' })],
    ['listeners[0].users[0]', (c: Draft) => (listener(c).users = ['nobody'])],
    ['listeners[0].prot', (c: Draft) => (listener(c).prot = 'smtp')],
    ['users.printer.account', (c: Draft) => delete c.users.printer?.account],
    ['limits.maxLineLength', (c: Draft) => (c.limits = { maxLineLength: 100 })],
    ['limits.idleTimeout', (c: Draft) => (c.limits = { idleTimeout: -1 })],
    ['listeners', (c: Draft) => (c.listeners = [])],
  ])('names the field %s when it is wrong', (field, mutate) => {
    const config = base();
    mutate(config);
    const error = fieldOf(() => parseProxyConfig(config));
    expect(error.code).toBe(MAIL_PROXY_INVALID_CONFIG);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
  });

  it('allows plain text upstream to loopback hosts only', () => {
    const config = base();
    config.listeners[0] = {
      ...config.listeners[0],
      upstream: { host: '127.0.0.1', port: 25, tls: 'none' },
    } as never;
    expect(parseProxyConfig(config).listeners[0]?.upstream.tls).toBe('none');
  });

  it('refuses a clear-text password without echoing it', () => {
    const config = base();
    (config.users.printer as Json).password = 'hunter2-clear';
    const error = fieldOf(() => parseProxyConfig(config));
    expect(error.field).toBe('users.printer.password');
    expect(error.message).not.toContain('hunter2-clear');
  });
});

describe('loadProxyConfig()', () => {
  it('says which file is not JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'proxy-config-'));
    const file = join(directory, 'proxy.json');
    await writeFile(file, '{ "listeners": [');
    await expect(loadProxyConfig(file)).rejects.toMatchObject({
      code: MAIL_PROXY_INVALID_CONFIG,
      message: expect.stringContaining(file),
    });
  });
});

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    expect(hash).toMatch(/^scrypt\$N=1024,r=8,p=1\$/);
    await expect(verifyPassword('printer secret', hash)).resolves.toBe(true);
    await expect(verifyPassword('printer secreT', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashPassword('same', { N: 1024 })).not.toBe(await hashPassword('same', { N: 1024 }));
  });

  it('uses N = 32768 by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  });

  it('throws MAIL_PROXY_INVALID_PASSWORD_HASH for a hash in another format', async () => {
    await expect(verifyPassword('x', '$2b$10$abcdefghijklmnopqrstuv')).rejects.toMatchObject({
      code: MAIL_PROXY_INVALID_PASSWORD_HASH,
    });
  });
});
