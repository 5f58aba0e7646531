import { randomBytes } from 'node:crypto';
import { chmod, type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuthorizerError } from '../errors.js';
import type { StoredAccount, TokenStore, TokenStoreLock } from '../token-store.js';
import { throwIfAborted } from './abort.js';
import { decodeAccountName, encodeAccountName } from './account-file-name.js';
import { acquireFileLock } from './file-lock.js';
import { AccountLockQueue, DEFAULT_LOCK_TIMEOUT } from './lock-queue.js';
import { checkStoredAccount } from './record.js';
import { storeCorrupt, storeUnavailable } from './store-errors.js';
import { parseStoredJSON, storedAccountFromJSON, storedAccountToJSON } from './stored-account-format.js';

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
}

/** A temp file this old was left by a writer that crashed; a live write takes milliseconds. */
const STRAY_TEMP_AGE = 10 * 60_000;
const SWEEP_INTERVAL = 60 * 60_000;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The default {@link TokenStore}: one JSON file per account in a directory, private to the user
 * (directory `0700`, files `0600`, tightened when found looser), written atomically (a unique temp
 * file in the same directory, `fsync`, `rename`, `fsync` of the directory) so that a crash or
 * `kill -9` at any moment leaves the old record or the new one, never a broken file. The lock is a
 * `<account>.lock` file created with `O_EXCL`, so it works across processes; a lock left by a
 * crashed process is taken over (see {@link FileTokenStoreOptions.lockStaleAfter}).
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
  readonly #localLocks = new AccountLockQueue();
  #ready: Promise<void> | undefined;
  #lastSweep = 0;

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
  }

  /** The path of the account's token file. */
  pathOf(account: string): string {
    return join(this.directory, `${encodeAccountName(account)}.json`);
  }

  /**
   * Reads the account's record; tightens the file's mode to `0600` first when it is looser.
   *
   * @throws {AuthorizerError} `OAUTH_STORE_CORRUPT` (naming the file) when it does not hold a
   *   record, `OAUTH_STORE_UNAVAILABLE` when it cannot be read.
   */
  async get(account: string, options: { signal?: AbortSignal } = {}): Promise<StoredAccount | undefined> {
    const path = this.pathOf(account);
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    let text: string;
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
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
      if (errorCode(error) === 'ENOENT') return undefined;
      throw storeUnavailable(`could not read token file "${path}"`, error);
    } finally {
      await handle?.close().catch(() => undefined);
    }
    const corrupt = (problem: string) => storeCorrupt(path, account, problem);
    return storedAccountFromJSON(parseStoredJSON(text, corrupt), account, corrupt);
  }

  /**
   * Writes the account's record atomically and durably, replacing the previous file (a corrupt
   * one included).
   *
   * @throws {TypeError} when `record` is not a valid record.
   * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` when the file cannot be written; the
   *   previous file is then untouched.
   */
  async set(record: StoredAccount, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkStoredAccount(record);
    const encoded = encodeAccountName(record.account);
    throwIfAborted(options.signal);
    await this.#ensureDirectory();
    const path = join(this.directory, `${encoded}.json`);
    // Indented: a person may open the file to see which account it is and when its tokens expire.
    const text = `${JSON.stringify(storedAccountToJSON(record), null, 2)}\n`;
    const temp = join(this.directory, `.${encoded}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx', 0o600);
      await handle.writeFile(text);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, path);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw storeUnavailable(`could not write token file "${path}"`, error);
    }
    await this.#syncDirectory();
    await this.#sweepStrayTempFiles();
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
      await unlink(path);
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
      names = await readdir(this.directory);
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
   * `<account>.lock` file against other processes.
   *
   * @param options.timeout How long to wait, in ms. Default: 30 000
   * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` (transient) naming the holder,
   *   `OAUTH_ABORTED` when `signal` aborts, `OAUTH_STORE_UNAVAILABLE`.
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
    let file: TokenStoreLock;
    try {
      await this.#ensureDirectory();
      file = await acquireFileLock(join(this.directory, `${encoded}.lock`), {
        account,
        timeout: Math.max(0, deadline - Date.now()),
        staleAfter: this.#lockStaleAfter,
        retryInterval: this.#lockRetryInterval,
        signal: options.signal,
      });
    } catch (error) {
      await local.release();
      throw error;
    }
    let released: Promise<void> | undefined;
    return {
      release: () => {
        released ??= file.release().finally(() => local.release());
        return released;
      },
    };
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
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const info = await stat(directory);
      if (!info.isDirectory()) throw storeUnavailable(`token directory "${directory}" is not a directory`);
      if ((info.mode & 0o077) !== 0) await chmod(directory, 0o700);
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
      handle = await open(this.directory, 'r');
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

  // Temp files of writers killed mid-write hold tokens: remove them once they are clearly dead.
  async #sweepStrayTempFiles(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_INTERVAL) return;
    this.#lastSweep = now;
    try {
      for (const name of await readdir(this.directory)) {
        if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
        const path = join(this.directory, name);
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs > STRAY_TEMP_AGE) await unlink(path).catch(() => undefined);
      }
    } catch {
      // Best effort: a failed sweep must not fail the write that has already succeeded.
    }
  }
}
