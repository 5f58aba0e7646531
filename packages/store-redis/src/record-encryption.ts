import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The only algorithm written: AES-256-GCM with a 96-bit random IV and a 128-bit tag. */
export const ENCRYPTION_ALGORITHM = 'A256GCM';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The version of the envelope `{"version":1,"encrypted":{…}}` that holds an encrypted record; the
 * record inside has core's stored-account format, with its own version.
 */
export const ENVELOPE_VERSION = 1;

/** The sealed form of a record, stored as `{"version":1,"encrypted":{…}}`. Binary fields are base64url. */
export interface EncryptedEnvelope {
  alg: typeof ENCRYPTION_ALGORITHM;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Checks an encryption key and copies it, so a caller zeroing or reusing its buffer later does not
 * change the key under the store.
 *
 * @throws {TypeError} unless `key` is a `Uint8Array` (a `Buffer` is one) of exactly 32 bytes.
 */
export function checkEncryptionKey(key: unknown, name: string): Buffer {
  if (!(key instanceof Uint8Array))
    throw new TypeError(`"${name}" must be a Buffer or Uint8Array of 32 bytes`);
  if (key.byteLength !== KEY_BYTES)
    throw new TypeError(`"${name}" must be 32 bytes (AES-256), got ${key.byteLength}`);
  return Buffer.from(key);
}

/**
 * Encrypts `plaintext` with AES-256-GCM under a fresh random IV. `aad` (the record's Redis key) is
 * authenticated, not stored: a value copied under another key no longer decrypts.
 */
export function encryptRecord(plaintext: string, key: Buffer, aad: string): EncryptedEnvelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: ENCRYPTION_ALGORITHM,
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    data: data.toString('base64url'),
  };
}

/** Whether `value` has the shape of an {@link EncryptedEnvelope} (not whether it decrypts). */
export function isEnvelope(value: unknown): value is EncryptedEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const { alg, iv, tag, data } = value as Record<string, unknown>;
  return (
    typeof alg === 'string' && typeof iv === 'string' && typeof tag === 'string' && typeof data === 'string'
  );
}

/**
 * Decrypts an envelope with the first of `keys` that authenticates it, or returns a description
 * of why none did (never the data itself).
 */
export function decryptRecord(
  envelope: EncryptedEnvelope,
  keys: readonly Buffer[],
  aad: string,
): { plaintext: string } | { problem: string } {
  if (envelope.alg !== ENCRYPTION_ALGORITHM)
    return { problem: `unknown algorithm ${JSON.stringify(String(envelope.alg).slice(0, 20))}` };
  const iv = Buffer.from(envelope.iv, 'base64url');
  const tag = Buffer.from(envelope.tag, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return { problem: 'malformed IV or tag' };
  const data = Buffer.from(envelope.data, 'base64url');
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      return { plaintext };
    } catch {
      // Authentication failed with this key: try the next one (a key rotation in progress).
    }
  }
  return {
    problem: `no key authenticates it (tried ${keys.length}); the key is wrong, or the value was changed or copied from another key`,
  };
}
