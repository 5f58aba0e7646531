import * as fsPromises from 'node:fs/promises';

/**
 * The file-system calls the file store and its lock make, as `node:fs/promises` offers them. The
 * store takes another implementation (see `FileTokenStoreOptions.fileSystem`) so that what real
 * disks do rarely — `ENOSPC` after the server rotated a refresh token, Windows' `EBUSY` while a
 * virus scanner holds a file — can be tested.
 *
 * @example
 * ```ts
 * import * as fs from 'node:fs/promises';
 * const full: StoreFileSystem = { ...fs, rename: async () => { throw Object.assign(new Error('busy'), { code: 'EBUSY' }); } };
 * ```
 */
export type StoreFileSystem = Pick<
  typeof fsPromises,
  'chmod' | 'link' | 'lstat' | 'mkdir' | 'open' | 'readdir' | 'readFile' | 'rename' | 'stat' | 'unlink'
>;

/** The real file system: `node:fs/promises`. */
export const nodeFileSystem: StoreFileSystem = fsPromises;
