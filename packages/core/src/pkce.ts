import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/**
 * A random, URL-safe string of `bytes` random bytes (base64url). 32 bytes = 256 bits.
 *
 * @param bytes Default: 32
 */
export function randomString(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Makes a fresh PKCE pair: a 43-character verifier from 256 random bits and its SHA-256
 * challenge. Only S256 is offered: `plain` protects nothing.
 *
 * @example
 * ```ts
 * const { codeVerifier, codeChallenge } = createPkcePair();
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function createPkcePair(): PkcePair {
  const codeVerifier = randomString(32);
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge, codeChallengeMethod: 'S256' };
}
