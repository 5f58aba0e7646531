import type { FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuthorizerError } from '../errors.js';
import type { StoredAccount, TokenStore, TokenStoreLock } from '../token-store.js';
import { throwIfAborted } from './abort.js';
import { decodeAccountName, encodeAccountName } from './account-file-name.js';
import { retryWhileBusy } from './busy-retry.js';
import { acquireFileLock } from './file-lock.js';
import { AccountLockQueue, DEFAULT_LOCK_TIMEOUT } from './lock-queue.js';
import {
  directoryLooseness,
  isLinkRefusal,
  OPEN_REFUSES_LINKS,
  READ_WITHOUT_FOLLOWING,
} from './private-files.js';
import { checkStoredAccount } from './record.js';
import {
  errnoOf as errorCode,
  shellQuote,
  spaceHint,
  storeCorrupt,
  storeUnavailable,
} from './store-errors.js';
import { nodeFileSystem, type StoreFileSystem } from './store-file-system.js';
import { parseStoredJSON, storedAccountFromJSON, storedAccountToJSON } from './stored-account-format.js';
import { sweepStaleTempFiles, tempFileName } from './temp-files.js';
import {
  dropReservation,
  overwriteReservation,
  reserveWriteSpace,
  type WriteReservation,
} from './write-reservation.js';

/**
 * Options of {@link FileTokenStore}.
 *
 * @example
 * ```ts
 * const options: FileTokenStoreOptions = { directory: '/home/me/.config/oauth-authorizer/accounts', lockStaleAfter: 10_000 };
 * ```
 */
export interface FileTokenStoreOptions {
  /**
   * The directory that holds one `<account>.json` file per account. Created with mode `0700` when
   * missing; made `0700` when found more open.
   */
  directory: string;
  /**
   * A lock file its holder has not touched for this many ms is taken over (holders touch it every
   * third of this while they hold it), so a hung or crashed holder on another host blocks others
   * at most this long. A holder that died on this host is detected at once. Default: 30 000
   */
  lockStaleAfter?: number;
  /** Mean pause between attempts to take a held lock, in ms (jittered ±50 %). Default: 20 */
  lockRetryInterval?: number;
  /**
   * The file-system calls the store makes, for tests that simulate a full disk or a busy Windows
   * file (see {@link StoreFileSystem}). Default: `node:fs/promises`
   */
  fileSystem?: StoreFileSystem;
}

/**
 * The default {@link TokenStore}: one JSON file per account in a directory, private to the user
 * (directory `0700`, files `0600`, tightened when found readable by others; on POSIX a directory
 * another user owns, or that group or others may write to, is refused: they could have replaced
 * its files), written atomically (a unique temp
 * file in the same directory, `fsync`, `rename`, `fsync` of the directory) so that a crash or
 * `kill -9` at any moment leaves the old record or the new one, never a broken file. The lock is a
 * `<account>.lock` file created with `O_EXCL`, so it works across processes; a lock left by a
 * crashed process is taken over (see {@link FileTokenStoreOptions.lockStaleAfter}).
 *
 * Space is made certain before a refresh: `lock()` writes the account's next temp file, padded to
 * twice the current record (at least 64 KiB) and synced, and the first `set()` under that lock
 * overwrites it in place, so a full disk fails `lock()` (`OAUTH_STORE_UNAVAILABLE … (ENOSPC)`)
 * before the server can rotate the refresh token, not the write after it. Temp files left by
 * killed processes are removed on the next `lock()` or `set()`. A rename that Windows refuses
 * while another process holds the file (`EPERM`, `EBUSY`, `EACCES`) is tried again for about 1 s.
 *
 * A file that cannot be parsed makes `get()` throw `OAUTH_STORE_CORRUPT` naming it; the store never
 * replaces it by itself. An explicit `set()` (a fresh authorization) replaces it.
 *
 * @example
 * ```ts
 * import { FileTokenStore, TokenManager } from '@oauth-authorizer/core';
 *
 * const store = new FileTokenStore({ directory: `${process.env.HOME}/.config/oauth-authorizer/accounts` });
 * const manager = new TokenManager({ account: 'me@example.com', store, provider });
 * console.log(await store.list()); // ['me@example.com']
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** The absolute path of the directory. */
  readonly directory: string;
  readonly #lockStaleAfter: number;
  readonly #lockRetryInterval: number;
  readonly #fs: StoreFileSystem;
  readonly #localLocks = new AccountLockQueue();
  /** Space reserved by `lock()` for the next `set()` of the account, while the lock is held. */
  readonly #reservations = new Map<string, WriteReservation>();
  #ready: Promise<void> | undefined;

  /** @throws {TypeError} when `directory` is missing or an option is not a positive number. */
  constructor(options: FileTokenStoreOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '')
      throw new TypeError('"directory" must be a non-empty string');
    const positive = (name: string, value: number | undefined, fallback: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
        throw new TypeError(`"${name}" must be a positive number of milliseconds`);
      return value;
    };
    this.directory = resolve(options.directory);
    this.#lockStaleAfter = positive('lockStaleAfter', options.lockStaleAfter, 30_000);
    this.#lockRetryInterval = positive('lockRetryInterval', options.lockRetryInterval, 20);
    this.#fs = options.fileSystem ?? nodeFileSystem;
  }

  /** The path of the account's token file. */
  pathOf(account: string): string {
    return join(this.directory, `${encodeAccountName(account)}.json`);
  }

  /**
   * Reads the account's record; tightens the file's mode to `0600` first when it is looser. A
   * symbolic link at the account file is refused, not followed (`O_NOFOLLOW`).
   *
   * @throws {AuthorizerError} `OAUTH_STORE_CORRUPT` (naming the file) when it does not hold a
   *   record, `OAUTH_STORE_UNAVAILABLE` when it cannot be read, is a symbolic link or not a
   *   regular file, or the directory is not private (see {@link FileTokenStore}).
   */
  async get(account: string, options: { signal?: AbortSignal } = {}): Promise<StoredAccount | undefined> {
    const path = this.pathOf(account);
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    let text: string;
    let handle: FileHandle | undefined;
    try {
      if (!OPEN_REFUSES_LINKS && (await this.#fs.lstat(path)).isSymbolicLink())
        throw Object.assign(new Error('symbolic link'), { code: 'ELOOP' });
      handle = await this.#fs.open(path, READ_WITHOUT_FOLLOWING);
      const info = await handle.stat();
      if (!info.isFile()) throw storeUnavailable(`token file "${path}" is not a regular file`);
      if ((info.mode & 0o077) !== 0) {
        try {
          await handle.chmod(0o600);
        } catch (error) {
          throw storeUnavailable(
            `token file "${path}" is readable by others and could not be made private`,
            error,
          );
        }
      }
      text = await handle.readFile('utf8');
    } catch (error) {
      if (error instanceof AuthorizerError) throw error;
      const code = errorCode(error);
      if (code === 'ENOENT') return undefined;
      if (isLinkRefusal(code))
        throw storeUnavailable(
          `token file "${path}" is a symbolic link, which the store does not follow`,
          error,
          {
            hint: 'replace the link by the file itself, or remove it and authorize the account again',
          },
        );
      throw storeUnavailable(`could not read token file "${path}"`, error);
    } finally {
      await handle?.close().catch(() => undefined);
    }
    const corrupt = (problem: string) => storeCorrupt(path, problem);
    return storedAccountFromJSON(parseStoredJSON(text, corrupt), account, corrupt);
  }

  /**
   * Writes the account's record atomically and durably, replacing the previous file (a corrupt
   * one included). The first write under a lock uses the space `lock()` reserved.
   *
   * @throws {TypeError} when `record` is not a valid record.
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` naming the file (with the system's code,
   *   e.g. `(ENOSPC)`) when it cannot be written; the previous file is then untouched.
   */
  async set(record: StoredAccount, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkStoredAccount(record);
    const encoded = encodeAccountName(record.account);
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    const fs = this.#fs;
    const path = join(this.directory, `${encoded}.json`);
    // Indented: a person may open the file to see which account it is and when its tokens expire.
    const data = Buffer.from(`${JSON.stringify(storedAccountToJSON(record), null, 2)}\n`);
    const reservation = this.#reservations.get(record.account);
    this.#reservations.delete(record.account);
    const temp = reservation?.path ?? join(this.directory, tempFileName(encoded));
    let handle: FileHandle | undefined = reservation?.handle;
    try {
      if (reservation !== undefined) {
        await overwriteReservation(reservation, data);
      } else {
        handle = await fs.open(temp, 'wx', 0o600);
        await handle.writeFile(data);
      }
      await handle?.sync();
      await handle?.close();
      handle = undefined;
      await retryWhileBusy(() => fs.rename(temp, path));
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
      throw storeUnavailable(`could not write token file "${path}"`, error, spaceHint(error, this.directory));
    }
    await this.#syncDirectory();
    await sweepStaleTempFiles(fs, this.directory, this.#lockStaleAfter);
  }

  /**
   * Deletes the account's file; no error when there is none. The lock file, which another
   * process may hold, stays.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` when the file cannot be removed.
   */
  async delete(account: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const path = this.pathOf(account);
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    try {
      await retryWhileBusy(() => this.#fs.unlink(path));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw storeUnavailable(`could not delete token file "${path}"`, error);
    }
    await this.#syncDirectory();
  }

  /**
   * The stored account names, sorted. Files that are not token files (temp files, lock files,
   * anything a person put there) are ignored.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` when the directory cannot be read.
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<string[]> {
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    let names: string[];
    try {
      names = await this.#fs.readdir(this.directory);
    } catch (error) {
      throw storeUnavailable(`could not read token directory "${this.directory}"`, error);
    }
    const accounts: string[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const account = decodeAccountName(name.slice(0, -'.json'.length));
      if (account !== undefined) accounts.push(account);
    }
    return accounts.sort();
  }

  /**
   * Takes the account's lock: first among callers in this process (in arrival order), then the
   * `<account>.lock` file against other processes. Then removes stale temp files and reserves the
   * space of the next `set()` (see {@link FileTokenStore}), so that a refresh made under the lock
   * can always be stored.
   *
   * @param options.timeout How long to wait, in ms. Default: 30 000
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` (transient) naming the holder,
   *   `OAUTH_ABORTED` when `signal` aborts, `OAUTH_STORE_UNAVAILABLE` (`… (ENOSPC)` when the
   *   disk has no room for the next write).
   */
  async lock(
    account: string,
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<TokenStoreLock> {
    const encoded = encodeAccountName(account);
    const timeout = options.timeout ?? DEFAULT_LOCK_TIMEOUT;
    const deadline = Date.now() + timeout;
    const local = await this.#localLocks.acquire(account, {
      timeout,
      ...(options.signal && { signal: options.signal }),
    });
    let file: TokenStoreLock | undefined;
    let reservation: WriteReservation;
    try {
      await this.#ensureDirectory();
      file = await acquireFileLock(join(this.directory, `${encoded}.lock`), {
        account,
        timeout: Math.max(0, deadline - Date.now()),
        staleAfter: this.#lockStaleAfter,
        retryInterval: this.#lockRetryInterval,
        signal: options.signal,
        fileSystem: this.#fs,
      });
      // Killed refreshers' reservations hold space: free it before asking for ours.
      await sweepStaleTempFiles(this.#fs, this.directory, this.#lockStaleAfter);
      reservation = await reserveWriteSpace(this.#fs, this.directory, encoded);
    } catch (error) {
      await file?.release().catch(() => undefined);
      await local.release();
      throw error;
    }
    this.#reservations.set(account, reservation);
    const held = file;
    let released: Promise<void> | undefined;
    return {
      release: () => {
        released ??= this.#unreserve(account, reservation)
          .then(() => held.release())
          .finally(() => local.release());
        return released;
      },
    };
  }

  /** Gives up the account's reservation if no `set()` used it. */
  async #unreserve(account: string, reservation: WriteReservation): Promise<void> {
    if (this.#reservations.get(account) !== reservation) return;
    this.#reservations.delete(account);
    await dropReservation(this.#fs, reservation);
  }

  #ensureDirectory(): Promise<void> {
    this.#ready ??= this.#prepareDirectory().catch((error: unknown) => {
      // Not cached: the next call tries again (the directory may be fixed or recreated meanwhile).
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #prepareDirectory(): Promise<void> {
    const directory = this.directory;
    try {
      await this.#fs.mkdir(directory, { recursive: true, mode: 0o700 });
      const info = await this.#fs.stat(directory);
      if (!info.isDirectory()) throw storeUnavailable(`token directory "${directory}" is not a directory`);
      const looseness = directoryLooseness(info);
      if (looseness === 'foreign')
        throw storeUnavailable(
          `token directory "${directory}" belongs to another user (uid ${info.uid}, this is uid ${process.getuid?.()})`,
          undefined,
          {
            hint: `use a directory of your own, or make this one yours: chown, then chmod 700 ${shellQuote(directory)}`,
          },
        );
      if (looseness === 'writable')
        throw storeUnavailable(
          `token directory "${directory}" is writable by ${(info.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}), so another user could replace its files`,
          undefined,
          { hint: `check its files, then: chmod 700 ${shellQuote(directory)}` },
        );
      if (looseness === 'readable') await this.#fs.chmod(directory, 0o700);
    } catch (error) {
      if (error instanceof AuthorizerError) throw error;
      throw storeUnavailable(`could not prepare token directory "${directory}" with mode 0700`, error);
    }
  }

  // Makes the rename itself durable: without it, a power cut can bring back the old directory
  // entry, i.e. a refresh token the server has already rotated away.
  async #syncDirectory(): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await this.#fs.open(this.directory, 'r');
      await handle.sync();
    } catch (error) {
      // Some platforms (Windows) cannot open or fsync a directory; there the rename is all we get.
      const code = errorCode(error);
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF')
        throw storeUnavailable(`could not sync token directory "${this.directory}"`, error);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }
}
