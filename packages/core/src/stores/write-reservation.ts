import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, spaceHint, storeUnavailable } from './store-errors.js';
import type { StoreFileSystem } from './store-file-system.js';
import { tempFileName } from './temp-files.js';

/** The least space reserved: new tokens may be longer than the old ones (a JWT grows claims). */
const MINIMUM_RESERVATION = 64 * 1024;

/**
 * A temp file written ahead, under the account's lock, padded to more than the record it will
 * hold: the blocks are the file's before the refresh request goes out, so the write after it
 * overwrites them and needs no new space (on file systems that overwrite in place: ext4, XFS,
 * APFS, NTFS, tmpfs; copy-on-write ones — Btrfs, ZFS — may still need some).
 */
export interface WriteReservation {
  /** The temp file's path, renamed over the token file by the write that uses it. */
  readonly path: string;
  readonly handle: FileHandle;
}

/**
 * Reserves the space of the next write of a token file: a new temp file beside it, padded to
 * twice the current record's size (at least 64 KiB) and synced.
 *
 * @throws {AuthorizerError} `OAUTH_STORE_UNAVAILABLE` naming the token file (`… (ENOSPC)` on a
 *   full disk); nothing is left behind.
 * @example
 * ```ts
 * const reservation = await reserveWriteSpace(fs, directory, 'me@example.com');
 * ```
 */
export async function reserveWriteSpace(
  fs: StoreFileSystem,
  directory: string,
  encodedAccount: string,
): Promise<WriteReservation> {
  const recordPath = join(directory, `${encodedAccount}.json`);
  const path = join(directory, tempFileName(encodedAccount));
  let handle: FileHandle | undefined;
  try {
    const current = await fs.lstat(recordPath).then(
      (info) => info.size,
      (error: unknown) => {
        if (errnoOf(error) === 'ENOENT') return 0;
        throw error;
      },
    );
    handle = await fs.open(path, 'wx', 0o600);
    // Real bytes, not a sparse file or a bare truncate: only written blocks are allocated.
    await handle.writeFile(Buffer.alloc(Math.max(MINIMUM_RESERVATION, 2 * current), 0x20));
    await handle.sync();
    return { path, handle };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (handle !== undefined) await fs.unlink(path).catch(() => undefined);
    throw storeUnavailable(
      `could not reserve disk space for token file "${recordPath}" before refreshing`,
      error,
      spaceHint(error, directory),
    );
  }
}

/**
 * Writes `data` over the reserved file from its start and cuts it to `data`'s length.
 *
 * @example
 * ```ts
 * await overwriteReservation(reservation, Buffer.from(text));
 * ```
 */
export async function overwriteReservation(reservation: WriteReservation, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await reservation.handle.write(data, written, data.length - written, written);
    written += bytesWritten;
  }
  await reservation.handle.truncate(data.length);
}

/**
 * Gives up an unused reservation: closes and removes its temp file.
 *
 * @example
 * ```ts
 * await dropReservation(fs, reservation);
 * ```
 */
export async function dropReservation(fs: StoreFileSystem, reservation: WriteReservation): Promise<void> {
  await reservation.handle.close().catch(() => undefined);
  await fs.unlink(reservation.path).catch(() => undefined);
}
