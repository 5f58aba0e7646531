/**
 * Reads a still-valid access token straight from an account's token file, without loading core:
 * the hot path of `oauth-authorizer token`, which mail clients run on every connection. It follows
 * core's file store format and freshness rule exactly; whenever anything is unusual (no file, an
 * unknown version, an expired token, a mark that the account needs authorization) it answers
 * `undefined` and the full command takes over, with core's store, lock and refresh.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const RESERVED_WINDOWS_NAME = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/;

/**
 * The file name core's `FileTokenStore` gives an account (without `.json`): lower-case letters,
 * digits and `_ @ + - .` stay, everything else is `%XX` of its UTF-8 bytes. Must stay identical
 * to core's `encodeAccountName`; a test compares them.
 *
 * @example
 * ```ts
 * accountFileName('Me@Example.com'); // '%4De@%45xample.com'
 * ```
 */
export function accountFileName(account: string): string {
  let encoded = '';
  for (const byte of Buffer.from(account, 'utf8')) {
    const plain =
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x5f ||
      byte === 0x40 ||
      byte === 0x2b ||
      byte === 0x2d ||
      (byte === 0x2e && encoded.length > 0);
    encoded += plain ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (RESERVED_WINDOWS_NAME.test(encoded))
    encoded = `%${encoded.charCodeAt(0).toString(16).toUpperCase()}${encoded.slice(1)}`;
  return encoded;
}

/**
 * The access token of `account` when its file holds one that is valid for more than
 * `minValidity` seconds (capped at half the token's lifetime, as core's token manager does), else
 * `undefined`. Never throws.
 *
 * @param directory The token store's directory.
 * @param minValidity Seconds.
 *
 * @example
 * ```ts
 * const token = readCachedAccessToken(accountsDirectory(resolveHome()), 'me@example.com', 60);
 * if (token) process.stdout.write(`${token}\n`);
 * ```
 */
export function readCachedAccessToken(
  directory: string,
  account: string,
  minValidity: number,
  now: number = Date.now(),
): string | undefined {
  try {
    if (account === '' || /[\u0000-\u001f\u007f]/.test(account)) return undefined;
    const record = JSON.parse(readFileSync(join(directory, `${accountFileName(account)}.json`), 'utf8'));
    if (record?.version !== 1 || record.account !== account || record.authorization_required !== undefined)
      return undefined;
    const tokens = record.tokens;
    const accessToken = tokens?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '' || /[\s]/.test(accessToken)) return undefined;
    if (tokens.expires_at === undefined) return accessToken;
    const expiresAt = Date.parse(tokens.expires_at);
    const obtainedAt = tokens.obtained_at === undefined ? 0 : Date.parse(tokens.obtained_at);
    if (Number.isNaN(expiresAt) || Number.isNaN(obtainedAt)) return undefined;
    const margin = Math.min(minValidity * 1000, Math.max(0, expiresAt - obtainedAt) / 2);
    return now < expiresAt - margin ? accessToken : undefined;
  } catch {
    return undefined;
  }
}
