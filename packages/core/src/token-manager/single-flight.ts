/**
 * The token manager's single flight: one refresh (or store read) at a time, shared by every
 * concurrent caller, which each wait with their own signal.
 *
 * @module
 */
import { abortError } from '../abort.js';

/** One shared run and the callers waiting for it. */
export interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiting: number;
  /** A caller without a signal waits: the flight must not be aborted. */
  pinned: boolean;
}

/**
 * At most one run under way; callers join it instead of starting a second. A caller's signal
 * stops only its own wait; when the last waiter with a signal gives up and no caller without one
 * waits, the run's own signal is aborted (so it stops waiting for a lock or a back-off).
 *
 * @example
 * ```ts
 * const flights = new SingleFlight<TokenSet>('waiting for an access token');
 * const flight = flights.current ?? flights.start((signal) => refreshUnderLock(signal));
 * const tokens = await flights.join(flight, callerSignal);
 * ```
 */
export class SingleFlight<T> {
  /** What a waiting caller does, for the abort message. */
  readonly #waiting: string;
  #flight: Flight<T> | undefined;

  constructor(waiting: string) {
    this.#waiting = waiting;
  }

  /** The run under way, if any. */
  get current(): Flight<T> | undefined {
    return this.#flight;
  }

  /** Starts a run of `fly`; it is the current one until it settles. */
  start(fly: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const promise = fly(controller.signal).finally(() => {
      if (this.#flight === flight) this.#flight = undefined;
    });
    const flight: Flight<T> = { promise, controller, waiting: 0, pinned: false };
    // Every waiter may have given up (aborted): the outcome then has no one to go to.
    promise.catch(() => undefined);
    this.#flight = flight;
    return flight;
  }

  /** Waits for `flight`, until `signal` aborts (`OAUTH_ABORTED`). */
  join(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) {
      flight.pinned = true;
      return flight.promise;
    }
    if (signal.aborted) return Promise.reject(abortError(signal, this.#waiting));
    flight.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        flight.waiting -= 1;
      };
      const onAbort = () => {
        leave();
        // The last waiter gone: stop waiting for the lock or a back-off, nobody needs the result.
        if (flight.waiting === 0 && !flight.pinned) {
          if (this.#flight === flight) this.#flight = undefined;
          flight.controller.abort(signal.reason);
        }
        reject(abortError(signal, this.#waiting));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }
}
