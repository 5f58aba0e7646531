import { sleep } from '../abort.js';
import { errnoOf } from './store-errors.js';

// Windows answers these while another process (a virus scanner, an indexer, a reader of the
// old file) holds the file open; it lets go within milliseconds.
const BUSY_CODES: ReadonlySet<string> = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** Pauses between the 5 tries: about 1 s in all, then the error stands. */
const PAUSES = [100, 200, 300, 400];

/**
 * Runs a file operation (a rename over a token file, the unlink of a lock file) and tries it
 * again briefly when it fails with `EPERM`, `EBUSY` or `EACCES`: at most 5 tries over about 1 s.
 * Any other error, or the last one, is thrown as it is.
 *
 * @example
 * ```ts
 * await retryWhileBusy(() => rename(temp, path));
 * ```
 */
export async function retryWhileBusy<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const pause = PAUSES[attempt];
      const code = errnoOf(error);
      if (pause === undefined || code === undefined || !BUSY_CODES.has(code)) throw error;
      await sleep(pause, undefined);
    }
  }
}
