import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isProcessAlive, thisHost } from './local-process.js';
import type { StoreFileSystem } from './store-file-system.js';

/**
 * A temp file of a live writer on another host is left alone this long: its refresh (retries,
 * `Retry-After`) may hold it for minutes, and its pid means nothing here.
 */
const LONGEST_WRITE = 10 * 60_000;

// Host names may hold characters a file name must not; a short hash of it tells hosts apart.
const HOST_TAG = createHash('sha256').update(thisHost).digest('hex').slice(0, 8);
const OWNER = /\.([0-9a-f]{8})-(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * The name of a new temp file beside `base` (an encoded account name, or its lock file's name):
 * hidden, unique, and carrying its owner (a tag of this host and this pid), so that one left by a
 * killed process can be told from a live writer's: `.me@example.com.1a2b3c4d-4242.9f8e7d6c5b4a.tmp`.
 *
 * @example
 * ```ts
 * const temp = join(directory, tempFileName('me@example.com'));
 * ```
 */
export function tempFileName(base: string): string {
  return `.${base}.${HOST_TAG}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Whether a temp file (by its name and age) was left by a writer that is gone: older than
 * `staleAfter` and, when its name says it belongs to a process of this host, that process no
 * longer runs (or it is very old: a pid can be reused). Names of older versions carry no owner:
 * their age alone decides, a write takes milliseconds.
 *
 * @example
 * ```ts
 * isStaleTempFile('.me.1a2b3c4d-4242.9f8e7d6c5b4a.tmp', 60_000, 30_000); // true once pid 4242 is gone
 * ```
 */
export function isStaleTempFile(name: string, ageMs: number, staleAfter: number): boolean {
  if (ageMs <= staleAfter) return false;
  const owner = OWNER.exec(name);
  if (owner === null) return true;
  if (ageMs > LONGEST_WRITE) return true;
  return owner[1] === HOST_TAG && !isProcessAlive(Number(owner[2]));
}

/**
 * Removes the stale temp files (see {@link isStaleTempFile}) of `directory`: writers killed
 * mid-write, or while they held space reserved for a refresh, leave them, and they hold tokens or
 * disk space. Best effort: nothing here fails the write that calls it.
 *
 * @example
 * ```ts
 * await sweepStaleTempFiles(nodeFileSystem, directory, 30_000);
 * ```
 */
export async function sweepStaleTempFiles(
  fs: StoreFileSystem,
  directory: string,
  staleAfter: number,
): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(
    names
      .filter((name) => name.startsWith('.') && name.endsWith('.tmp'))
      .map(async (name) => {
        const path = join(directory, name);
        const info = await fs.lstat(path).catch(() => undefined);
        if (info?.isFile() && isStaleTempFile(name, now - info.mtimeMs, staleAfter))
          await fs.unlink(path).catch(() => undefined);
      }),
  );
}
