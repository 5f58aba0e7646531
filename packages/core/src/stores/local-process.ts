import { hostname } from 'node:os';

/**
 * This host's name, as lock and temp files record their owner.
 *
 * @example
 * ```ts
 * const mine = owner.hostname === thisHost;
 * ```
 */
export const thisHost: string = hostname();

/**
 * Whether a process of this host with that pid runs (one of another user included).
 *
 * @example
 * ```ts
 * if (!isProcessAlive(owner.pid)) breakLock();
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
