import { randomBytes } from 'node:crypto';
import { sleep, type TokenStoreLock } from '@oauth-authorizer/core';
import type { RedisConnection } from './connection.js';
import { lockTimeout, redisFailure } from './errors.js';
import { ACQUIRE_LOCK, RELEASE_LOCK, RENEW_LOCK, runScript } from './lua-scripts.js';

/** What the holder last saw of the record while the lock was verifiably its own. */
export type ObservedRecord = { kind: 'none' } | { kind: 'absent' } | { kind: 'sha'; sha: string };

/** How a lock is taken and kept; all in ms. */
export interface LockTiming {
  lease: number;
  renewInterval: number;
  retryInterval: number;
}

/**
 * Takes the Redis lock at `key` with `SET key token NX PX lease`, polling with jittered, slowly
 * growing pauses (never past the holder's remaining lease, never past the deadline) until it is
 * free or `deadline` passes. The token is 128 random bits: only its holder can renew or release it.
 *
 * @returns the token.
 * @throws {AuthorizerError} `OAUTH_LOCK_TIMEOUT` after the deadline, `OAUTH_STORE_UNAVAILABLE`
 *   when Redis fails (at once: waiting on a Redis that is down would only hide it),
 *   `OAUTH_ABORTED` when `signal` aborts.
 */
export async function acquireRedisLock(
  connection: RedisConnection,
  options: {
    account: string;
    key: string;
    timeout: number;
    deadline: number;
    timing: LockTiming;
    signal?: AbortSignal | undefined;
  },
): Promise<string> {
  const { account, key, timing, deadline, signal } = options;
  const token = randomBytes(16).toString('hex');
  const what = `could not take the Redis lock of account "${account}"`;
  for (let attempt = 0; ; attempt++) {
    const redis = await connection.ready(what, signal);
    let reply: unknown;
    try {
      reply = await runScript(redis, ACQUIRE_LOCK, [key], [token, timing.lease]);
    } catch (error) {
      // If the SET reached Redis but its reply was lost, the key holds our token until its lease
      // ends: nobody else can then take it for at most one lease, the same as after a crash.
      throw redisFailure(what, error);
    }
    const [taken, holderLeft] = Array.isArray(reply) ? reply : [];
    if (taken === 1) return token;
    const remaining = deadline - Date.now();
    const leaseLeft = typeof holderLeft === 'number' ? holderLeft : undefined;
    if (remaining <= 0) throw lockTimeout(account, options.timeout, leaseLeft);
    // Jitter keeps waiters in several processes from polling in lockstep; the cap keeps a waiter
    // behind a crashed holder from polling Redis hundreds of times per lease.
    const backoff = timing.retryInterval * Math.min(1.5 ** attempt, 8) * (0.5 + Math.random());
    const untilFree = leaseLeft !== undefined && leaseLeft > 0 ? leaseLeft + 1 : backoff;
    await sleep(
      Math.max(1, Math.min(backoff, untilFree, remaining)),
      signal,
      'waiting for the token store lock',
    );
  }
}

/**
 * A Redis lock this process holds. While held, its lease is renewed every `renewInterval` (only if
 * the key still holds our token), so a refresh that takes longer than one lease keeps the lock; a
 * renewal that finds another token marks the lock lost. Release deletes the key only if it still
 * holds our token, so a holder whose lease ran out never frees a later holder's lock.
 */
export class HeldRedisLock implements TokenStoreLock {
  readonly account: string;
  readonly key: string;
  readonly token: string;
  /** Set by reads made under the lock; checked by the fenced write. */
  observed: ObservedRecord = { kind: 'none' };
  readonly #connection: RedisConnection;
  readonly #timing: LockTiming;
  readonly #onRelease: () => void;
  readonly #timer: NodeJS.Timeout;
  #lost = false;
  #renewing = false;
  #released: Promise<void> | undefined;

  constructor(
    connection: RedisConnection,
    lock: { account: string; key: string; token: string; timing: LockTiming },
    onRelease: () => void,
  ) {
    this.#connection = connection;
    this.account = lock.account;
    this.key = lock.key;
    this.token = lock.token;
    this.#timing = lock.timing;
    this.#onRelease = onRelease;
    this.#timer = setInterval(() => void this.#renew(), lock.timing.renewInterval);
    // A held lock alone must not keep a process alive; the work done under it does.
    this.#timer.unref();
  }

  /** Whether Redis was seen to hold another token (or none) for this lock. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Records that the lease is gone; renewing stops (the key is someone else's, or anyone's). */
  markLost(): void {
    this.#lost = true;
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.#lost || this.#released) return;
    this.#renewing = true;
    try {
      const redis = this.#connection.client;
      // Skipped while disconnected: the next tick tries again, and the fenced write decides
      // whether anything under a lapsed lease may still be written.
      if (redis.status !== 'ready') return;
      const renewed = await runScript(redis, RENEW_LOCK, [this.key], [this.token, this.#timing.lease]);
      if (renewed !== 1 && !this.#released) this.markLost();
    } catch {
      // Same as disconnected: try again at the next tick.
    } finally {
      this.#renewing = false;
    }
  }

  /**
   * Lets go of the lock. Never throws: when Redis cannot be reached the key simply expires at the
   * end of its lease, and an error here would hide the outcome of the work done under the lock.
   */
  release(): Promise<void> {
    this.#released ??= (async () => {
      clearInterval(this.#timer);
      try {
        const redis = this.#connection.client;
        if (!this.#lost && redis.status === 'ready')
          await runScript(redis, RELEASE_LOCK, [this.key], [this.token]);
      } catch {
        // The lease ends it.
      } finally {
        this.#onRelease();
      }
    })();
    return this.#released;
  }
}
