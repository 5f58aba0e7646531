import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sleep } from '../abort.js';
import { AuthorizerError } from '../errors.js';
import type { TokenStoreLock } from '../token-store.js';
import { throwIfAborted } from './abort.js';
import { retryWhileBusy } from './busy-retry.js';
import { isProcessAlive, thisHost } from './local-process.js';
import { lockTimeoutError } from './lock-queue.js';
import { errnoOf as errorCode, spaceHint, storeUnavailable } from './store-errors.js';
import { nodeFileSystem, type StoreFileSystem } from './store-file-system.js';
import { tempFileName } from './temp-files.js';

/**
 * Options of {@link acquireFileLock}.
 *
 * @example
 * ```ts
 * const options: FileLockOptions = { account: 'me', timeout: 30_000, staleAfter: 30_000, retryInterval: 20 };
 * ```
 */
export interface FileLockOptions {
  /** The account, for messages. */
  account: string;
  /** How long to wait for the lock, in ms. */
  timeout: number;
  /** A lock whose file was not touched for this many ms is stale: its holder hung or died elsewhere. */
  staleAfter: number;
  /** Mean pause between attempts while the lock is held, in ms (jittered ±50 %). */
  retryInterval: number;
  signal?: AbortSignal | undefined;
  /** Default: `node:fs/promises` */
  fileSystem?: StoreFileSystem | undefined;
}

/** What a lock file holds: who took it, for stale-lock detection and for messages. */
interface LockOwner {
  pid: number;
  hostname: string;
  createdAt: string;
  id: string;
}

/** A lock file as seen at one moment: enough to tell later whether it is still the same file. */
interface LockSnapshot {
  stats: Stats;
  text: string;
  owner: LockOwner | undefined;
}

// Ids of the lock files this process holds, shared by every copy of this module in the process
// (the ESM and CJS builds may both be loaded): a lock file carrying our own pid but an id we do not
// hold was left by an earlier process that had the same pid (common in containers).
const HELD_KEY = Symbol.for('@oauth-authorizer/core:held-file-locks');
function heldLocks(): Set<string> {
  const registry = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  registry[HELD_KEY] ??= new Set<string>();
  return registry[HELD_KEY];
}
const held = heldLocks();

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.id === 'string' &&
      typeof value.createdAt === 'string'
    )
      return value as LockOwner;
  } catch {
    // A lock file caught between its creation and its first write is empty: it has no owner yet.
  }
  return undefined;
}

async function snapshot(fs: StoreFileSystem, path: string): Promise<LockSnapshot | undefined> {
  try {
    const [stats, text] = await Promise.all([fs.stat(path), fs.readFile(path, 'utf8')]);
    return { stats, text, owner: parseOwner(text) };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw storeUnavailable(`could not read lock file "${path}"`, error);
  }
}

/**
 * Whether a lock's holder is gone: the file was not touched for `staleAfter` ms (holders touch it
 * while they hold it), or its holder was a process on this host that no longer runs.
 */
function isStale(lock: LockSnapshot, staleAfter: number): boolean {
  if (Date.now() - lock.stats.mtimeMs > staleAfter) return true;
  const owner = lock.owner;
  if (owner === undefined || owner.hostname !== thisHost) return false;
  if (owner.pid === process.pid) return !held.has(owner.id);
  return !isProcessAlive(owner.pid);
}

function sameFile(a: LockSnapshot, b: LockSnapshot): boolean {
  return (
    a.stats.ino === b.stats.ino &&
    a.stats.dev === b.stats.dev &&
    a.stats.mtimeMs === b.stats.mtimeMs &&
    a.text === b.text
  );
}

function describeOwner(lock: LockSnapshot): string | undefined {
  const owner = lock.owner;
  return owner && `pid ${owner.pid} on ${owner.hostname} since ${owner.createdAt}`;
}

function ownerText(id: string): string {
  const owner: LockOwner = { pid: process.pid, hostname: thisHost, createdAt: new Date().toISOString(), id };
  return JSON.stringify(owner);
}

/**
 * Creates `path` holding `text`, failing if it exists, in one step: the text goes to a unique
 * temp file that is then hard-linked to `path` (`link` fails with `EEXIST` like `O_EXCL`). A lock
 * file created empty and written afterwards could be left empty by a kill in between, and an
 * owner-less lock can only be judged stale by its age. On file systems without hard links, falls
 * back to `O_EXCL` and a write. Creating and removing retry briefly while Windows says the file
 * is busy (see {@link retryWhileBusy}).
 *
 * @returns an open handle on the created file (for the heartbeat), or `undefined` if it exists.
 */
async function createExclusive(
  fs: StoreFileSystem,
  path: string,
  text: string,
): Promise<FileHandle | undefined> {
  const temp = join(dirname(path), tempFileName(basename(path)));
  let handle: FileHandle | undefined;
  try {
    handle = await retryWhileBusy(() => fs.open(temp, 'wx', 0o600));
    await handle.writeFile(text);
    await fs.link(temp, path);
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    handle = undefined;
    const code = errorCode(error);
    if (code === 'EEXIST') return undefined;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
  try {
    handle = await retryWhileBusy(() => fs.open(path, 'wx', 0o600));
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(text);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.unlink(path).catch(() => undefined);
    throw error;
  }
}

/** Removes `path` if it is still the very file of `seen` (a small race remains; see the caller). */
async function unlinkIfSame(fs: StoreFileSystem, path: string, seen: LockSnapshot): Promise<void> {
  const current = await snapshot(fs, path);
  if (current !== undefined && sameFile(current, seen))
    await retryWhileBusy(() => fs.unlink(path)).catch(() => undefined);
}

/**
 * Removes a stale lock file, unless another waiter got there first. Waiters that find the same
 * stale lock must not both remove "it": the second one would remove the fresh lock the first one
 * has taken since. So breaking is itself guarded by a short-lived `.break` file taken with
 * `O_EXCL`, and under it the lock file is checked to be the very file judged stale (same inode,
 * mtime and content) before it is unlinked.
 *
 * @returns whether the lock file is gone, so that taking the lock is worth trying again at once.
 */
async function breakStaleLock(
  fs: StoreFileSystem,
  path: string,
  stale: LockSnapshot,
  staleAfter: number,
): Promise<boolean> {
  const breakPath = `${path}.break`;
  const guardId = randomUUID();
  held.add(guardId);
  let guard: FileHandle | undefined;
  try {
    guard = await createExclusive(fs, breakPath, ownerText(guardId));
    if (guard === undefined) {
      // Another waiter is breaking the lock; a guard whose holder died (it is held for
      // milliseconds) is removed like a stale lock. Two waiters doing that at once could both
      // remove a guard, but only after its holder died in that millisecond: accepted.
      const other = await snapshot(fs, breakPath);
      if (other !== undefined && isStale(other, staleAfter)) await unlinkIfSame(fs, breakPath, other);
      return false;
    }
    const current = await snapshot(fs, path);
    if (current === undefined) return true;
    if (!sameFile(current, stale)) return false;
    await retryWhileBusy(() => fs.unlink(path));
    return true;
  } catch (error) {
    if (error instanceof AuthorizerError) throw error;
    if (errorCode(error) === 'ENOENT') return true;
    throw storeUnavailable(`could not break the stale lock "${path}"`, error);
  } finally {
    if (guard !== undefined) {
      await guard.close().catch(() => undefined);
      await retryWhileBusy(() => fs.unlink(breakPath)).catch(() => undefined);
    }
    held.delete(guardId);
  }
}

/** A lock file this process created and holds. */
class HeldFileLock implements TokenStoreLock {
  readonly #fs: StoreFileSystem;
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #id: string;
  readonly #heartbeat: NodeJS.Timeout;
  #released: Promise<void> | undefined;

  constructor(fs: StoreFileSystem, path: string, handle: FileHandle, id: string, staleAfter: number) {
    this.#fs = fs;
    this.#path = path;
    this.#handle = handle;
    this.#id = id;
    // Touching the file through our own descriptor keeps a long refresh (retries, Retry-After)
    // from looking stale to other hosts, and can never touch a lock file someone else created.
    this.#heartbeat = setInterval(
      () => {
        const now = new Date();
        handle.utimes(now, now).catch(() => undefined);
      },
      Math.max(50, Math.floor(staleAfter / 3)),
    );
    this.#heartbeat.unref();
  }

  release(): Promise<void> {
    this.#released ??= this.#release();
    return this.#released;
  }

  async #release(): Promise<void> {
    clearInterval(this.#heartbeat);
    try {
      // Unlink only our own file: if we stalled long enough to be judged stale, the file at the
      // path may now be another holder's lock.
      const fs = this.#fs;
      const text = await fs.readFile(this.#path, 'utf8');
      if (parseOwner(text)?.id === this.#id) await retryWhileBusy(() => fs.unlink(this.#path));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT')
        throw storeUnavailable(`could not remove lock file "${this.#path}"`, error);
    } finally {
      // Only now: while the file exists with our pid, an id missing from `held` would make other
      // waiters in this process take it for a dead process's lock and break it.
      held.delete(this.#id);
      await this.#handle.close().catch(() => undefined);
    }
  }
}

/**
 * Takes an exclusive lock that works across processes (and hosts sharing a file system): the
 * file at `path`, created exclusively (see {@link createExclusive}), holding the holder's pid, host name, start time and a
 * random id. A lock whose holder died on this host, or that was not touched for `staleAfter` ms,
 * is broken (see {@link breakStaleLock}).
 *
 * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` (transient) after `timeout` ms, `OAUTH_ABORTED`
 *   when `signal` aborts, `OAUTH_STORE_UNAVAILABLE` when the file cannot be created or read.
 * @example
 * ```ts
 * const lock = await acquireFileLock('/home/me/.config/oauth-authorizer/accounts/me.lock', {
 *   account: 'me', timeout: 30_000, staleAfter: 30_000, retryInterval: 20,
 * });
 * try { await refreshAndStore(); } finally { await lock.release(); }
 * ```
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<TokenStoreLock> {
  const deadline = Date.now() + options.timeout;
  const id = randomUUID();
  // Marked as ours before the file exists: another waiter in this process that reads the file
  // between its creation and our next line must not take it for a leftover of a dead process.
  held.add(id);
  try {
    return await takeLock(path, id, options, deadline);
  } catch (error) {
    held.delete(id);
    throw error;
  }
}

async function takeLock(
  path: string,
  id: string,
  options: FileLockOptions,
  deadline: number,
): Promise<HeldFileLock> {
  const { account, timeout, staleAfter, retryInterval, signal } = options;
  const fs = options.fileSystem ?? nodeFileSystem;
  for (;;) {
    throwIfAborted(signal, 'waiting for the token store lock');
    let handle: FileHandle | undefined;
    try {
      handle = await createExclusive(fs, path, ownerText(id));
    } catch (error) {
      throw storeUnavailable(`could not create lock file "${path}"`, error, spaceHint(error, dirname(path)));
    }
    if (handle !== undefined) return new HeldFileLock(fs, path, handle, id, staleAfter);
    const current = await snapshot(fs, path);
    // Released between our attempt and our look: try again at once.
    if (current === undefined) continue;
    if (isStale(current, staleAfter) && (await breakStaleLock(fs, path, current, staleAfter))) continue;
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeoutError(account, timeout, describeOwner(current));
    await sleep(
      Math.min(left, retryInterval * (0.5 + Math.random())),
      signal,
      'waiting for the token store lock',
    );
  }
}
