import { constants, type Stats } from 'node:fs';

/**
 * The flags an account file is opened with for reading: never through a symbolic link (the open
 * fails with `ELOOP`, `EMLINK` on FreeBSD), so that a link planted at an account file cannot make
 * the store read — or `chmod` — its target; never blocking on a FIFO put there. Windows has neither
 * flag: there {@link OPEN_REFUSES_LINKS} is false and the caller checks with `lstat` first.
 *
 * @example
 * ```ts
 * const handle = await open(path, READ_WITHOUT_FOLLOWING);
 * ```
 */
export const READ_WITHOUT_FOLLOWING: number =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Whether opening with {@link READ_WITHOUT_FOLLOWING} itself refuses a symbolic link. */
export const OPEN_REFUSES_LINKS: boolean = constants.O_NOFOLLOW !== undefined;

/**
 * Whether a failed open says that the account file is a symbolic link.
 *
 * @example
 * ```ts
 * if (isLinkRefusal(errnoOf(error))) throw symlinkRefused(path);
 * ```
 */
export function isLinkRefusal(code: string | undefined): boolean {
  return code === 'ELOOP' || code === 'EMLINK';
}

/**
 * What is wrong with the store directory's owner or mode, on POSIX (Windows has no such modes):
 * `foreign` when another user owns it, `writable` when group or others may write to it (and so
 * replace any account file), `readable` when they may only read or list it (the store tightens
 * that to `0700`); `undefined` when it is private.
 *
 * @example
 * ```ts
 * directoryLooseness(await stat(directory)); // 'readable' for mode 0755
 * ```
 */
export function directoryLooseness(
  info: Pick<Stats, 'uid' | 'mode'>,
): 'foreign' | 'writable' | 'readable' | undefined {
  if (process.platform === 'win32') return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return 'foreign';
  if ((info.mode & 0o022) !== 0) return 'writable';
  if ((info.mode & 0o077) !== 0) return 'readable';
  return undefined;
}

/**
 * Whether an account file may be used as it is: owned by this user and not open to group or
 * others (`0600` or tighter); always true on Windows.
 *
 * @example
 * ```ts
 * if (!isPrivateFile(fstatSync(fd))) return undefined; // the full path tightens it
 * ```
 */
export function isPrivateFile(info: Pick<Stats, 'uid' | 'mode'>): boolean {
  if (process.platform === 'win32') return true;
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o077) === 0;
}
