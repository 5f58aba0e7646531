/**
 * The cheapest possible read of a stored access token, for programs that start, print a token
 * and exit — a mail client's password command, run on every connection. It is its own
 * entry point (`@oauth-authorizer/core/cached-access-token`) so that such a program loads this
 * one small module, not the flow engine.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAccountName } from './stores/account-file-name.js';
import { directoryLooseness, isPrivateFile, READ_WITHOUT_FOLLOWING } from './stores/private-files.js';
import { STORED_ACCOUNT_FORMAT_VERSION } from './stores/stored-account-format.js';
import { freshUntil } from './token-set.js';

export {
  type AccountsDirectoryOptions,
  defaultAccountsDirectory,
  defaultHomeDirectory,
  HOME_VARIABLE,
} from './home-directory.js';
export { encodeAccountName } from './stores/account-file-name.js';

function date(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/**
 * The text of the account file when the directory and the file are as private as the file store
 * keeps them (directory `0700`, file `0600`, both this user's, the file no symbolic link); else
 * `undefined`, and the full path (the file store) tightens the modes or refuses with its error.
 */
function readPrivateFile(directory: string, path: string): string | undefined {
  if (directoryLooseness(statSync(directory)) !== undefined) return undefined;
  const fd = openSync(path, READ_WITHOUT_FOLLOWING);
  try {
    const info = fstatSync(fd);
    return info.isFile() && isPrivateFile(info) ? readFileSync(fd, 'utf8') : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The access token that a {@link FileTokenStore} in `directory` holds for `account`, when it is
 * still fresh for `minValidity` seconds by the token manager's rule ({@link freshUntil}); else
 * `undefined` — also for anything unusual (no file, an unreadable or foreign file, a symbolic
 * link, a file or directory more open than `0600`/`0700`, an account marked as needing
 * authorization), where the caller goes the long way: a `TokenManager`, which locks, re-reads,
 * tightens modes, refreshes and reports errors. Never throws.
 *
 * @param directory The file store's directory.
 * @param minValidity Seconds the token must still be valid for.
 * @param now Default: `Date.now()`
 * @example
 * ```ts
 * const token = readCachedAccessToken(directory, 'me@example.com', 60);
 * if (token) process.stdout.write(`${token}\n`);
 * else await new TokenManager({ account, store: new FileTokenStore({ directory }), provider }).getAccessToken();
 * ```
 */
export function readCachedAccessToken(
  directory: string,
  account: string,
  minValidity: number,
  now: number = Date.now(),
): string | undefined {
  try {
    const text = readPrivateFile(directory, join(directory, `${encodeAccountName(account)}.json`));
    if (text === undefined) return undefined;
    const record = JSON.parse(text);
    if (
      record?.version !== STORED_ACCOUNT_FORMAT_VERSION ||
      record.account !== account ||
      record.authorization_required !== undefined
    )
      return undefined;
    const accessToken = record.tokens?.access_token;
    // A token with white space in it would break the one-line output mail clients read.
    if (typeof accessToken !== 'string' || accessToken === '' || /\s/.test(accessToken)) return undefined;
    const expiresAt = date(record.tokens.expires_at);
    const obtainedAt = date(record.tokens.obtained_at) ?? 0;
    if (Number.isNaN(expiresAt) || Number.isNaN(obtainedAt)) return undefined;
    const tokens = expiresAt === undefined ? { obtainedAt } : { expiresAt, obtainedAt };
    return now < freshUntil(tokens, minValidity) ? accessToken : undefined;
  } catch {
    return undefined;
  }
}
