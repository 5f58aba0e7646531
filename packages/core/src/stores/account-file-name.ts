import { checkAccountName } from './record.js';

/** Longest encoded account name: leaves room for the suffixes of lock and temp files in 255 bytes. */
const MAX_ENCODED_NAME = 200;
const RESERVED_WINDOWS_NAME = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/;
const ENCODED_NAME = /^(?:[a-z0-9_@+\-.]|%[0-9A-F]{2})+$/;

/**
 * Turns an account name into a file name that is safe everywhere: lowercase ASCII letters,
 * digits, `_ @ + - .` stay; everything else, upper-case letters included (case-insensitive file
 * systems), is `%XX` of its UTF-8 bytes, as are a leading dot and Windows device names. So
 * `../x` cannot leave the directory and two names never share a file.
 *
 * @throws {TypeError} when the account name is empty or too long for a file name.
 * @example
 * ```ts
 * encodeAccountName('Me@example.com'); // '%4De@example.com'
 * ```
 */
export function encodeAccountName(account: string): string {
  checkAccountName(account);
  let encoded = '';
  for (const byte of Buffer.from(account, 'utf8')) {
    const char = String.fromCharCode(byte);
    const plain =
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      char === '_' ||
      char === '@' ||
      char === '+' ||
      char === '-' ||
      (char === '.' && encoded.length > 0);
    encoded += plain ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (RESERVED_WINDOWS_NAME.test(encoded))
    encoded = `%${encoded.charCodeAt(0).toString(16).toUpperCase()}${encoded.slice(1)}`;
  if (encoded.length > MAX_ENCODED_NAME)
    throw new TypeError(
      `account name is too long for a file name (${encoded.length} bytes encoded, at most ${MAX_ENCODED_NAME})`,
    );
  return encoded;
}

/**
 * The account name of an encoded file name, or `undefined` when no account encodes to it.
 *
 * @example
 * ```ts
 * decodeAccountName('%4De@example.com'); // 'Me@example.com'
 * decodeAccountName('%6De@example.com'); // undefined: 'm' is never encoded
 * ```
 */
export function decodeAccountName(encoded: string): string | undefined {
  if (!ENCODED_NAME.test(encoded)) return undefined;
  let account: string;
  try {
    account = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  try {
    // Only the canonical spelling counts: `%61` and `a` must not both claim account "a".
    return encodeAccountName(account) === encoded ? account : undefined;
  } catch {
    return undefined;
  }
}
