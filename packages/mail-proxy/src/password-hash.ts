/**
 * Local passwords of the proxy's users, stored as scrypt hashes (`node:crypto`) in the
 * configuration: `scrypt$N=<cost>,r=<block size>,p=<parallelism>$<salt, base64>$<hash, base64>`.
 *
 * @module
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { AuthorizerError } from '@oauth-authorizer/core';
import { MAIL_PROXY_INVALID_PASSWORD_HASH } from './errors.js';

/** The scrypt cost parameters of new hashes: N = 2^15, r = 8, p = 1 (32 MiB, ~50-100 ms). */
const DEFAULT_PARAMETERS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Enough for N = 2^17 with r = 8, so a hash from a stronger setting still verifies.
const MAX_MEMORY = 256 * 1024 * 1024;
const FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Scrypt cost parameters; see RFC 7914 §2. */
export interface PasswordHashParameters {
  /** CPU/memory cost, a power of two. Default: 32768 */
  N?: number;
  /** Block size. Default: 8 */
  r?: number;
  /** Parallelism. Default: 1 */
  p?: number;
}

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a local password for the configuration, with a fresh random salt.
 *
 * @throws {TypeError} for an empty password.
 * @example
 * ```ts
 * const hash = await hashPassword('printer-secret'); // 'scrypt$N=32768,r=8,p=1$…$…'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7914
 */
export async function hashPassword(
  password: string,
  parameters: PasswordHashParameters = {},
): Promise<string> {
  if (typeof password !== 'string' || password === '')
    throw new TypeError('the password must be a non-empty string');
  const N = parameters.N ?? DEFAULT_PARAMETERS.N;
  const r = parameters.r ?? DEFAULT_PARAMETERS.r;
  const p = parameters.p ?? DEFAULT_PARAMETERS.p;
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, { N, r, p });
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | undefined {
  const match = FORMAT.exec(hash);
  if (match === null) return undefined;
  const [N, r, p] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const salt = Buffer.from(match[4] as string, 'base64');
  const key = Buffer.from(match[5] as string, 'base64');
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r < 1 || p < 1 || N * r * 128 > MAX_MEMORY || salt.length < 8 || key.length < 16) {
    return undefined;
  }
  return { N, r, p, salt, key };
}

/**
 * Whether `hash` is a password hash in the proxy's format (checked when the configuration loads).
 *
 * @example
 * ```ts
 * isPasswordHash('scrypt$N=32768,r=8,p=1$c2FsdHNhbHQ=$…'); // true
 * isPasswordHash('hunter2'); // false
 * ```
 */
export function isPasswordHash(hash: string): boolean {
  return typeof hash === 'string' && parseHash(hash) !== undefined;
}

/**
 * Checks a password against its stored hash, comparing in constant time.
 *
 * @throws {AuthorizerError} `MAIL_PROXY_INVALID_PASSWORD_HASH` when `hash` is not in the proxy's format.
 * @example
 * ```ts
 * if (await verifyPassword(given, user.passwordHash)) startUpstreamSession();
 * ```
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (parsed === undefined) {
    throw new AuthorizerError(
      MAIL_PROXY_INVALID_PASSWORD_HASH,
      'the stored password hash is not in the format scrypt$N=…,r=…,p=…$<salt>$<hash>',
      { hint: 'set the password again with `oauth-authorizer proxy passwd <user>`' },
    );
  }
  const key = await derive(password, parsed.salt, parsed.key.length, {
    N: parsed.N,
    r: parsed.r,
    p: parsed.p,
  });
  return timingSafeEqual(key, parsed.key);
}
