import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sleep } from '@oauth-authorizer/core';
import type { ProxyLimits, ProxyUser } from './config.js';
import { verifyPassword } from './password-hash.js';

/** How long an address's failures count against it. */
const FAILURE_MEMORY_MS = 15 * 60_000;
/** Addresses remembered at most; the oldest are forgotten first. */
const MAX_ADDRESSES = 10_000;
/** How long a verified password is remembered, so a device that connects per message pays scrypt once. */
const VERIFIED_MEMORY_MS = 10 * 60_000;

interface VerifiedPassword {
  /** HMAC of the password under this process's random key: never the password itself. */
  mac: Buffer;
  passwordHash: string;
  until: number;
}

interface FailureRecord {
  count: number;
  last: number;
}

/**
 * Checks local user names and passwords. A wrong password or an unknown user is answered only
 * after a fixed delay, the same for both and whatever the hash check took, so neither the timing
 * nor the reply tells whether the user exists; each further failure from the same address within
 * 15 minutes doubles the delay, up to `maxAuthFailureDelay`. No upstream connection is made for a
 * refused login: this check comes first.
 */
export class LoginGuard {
  readonly #failures = new Map<string, FailureRecord>();
  readonly #verified = new Map<string, VerifiedPassword>();
  readonly #pending = new Map<string, Promise<boolean>>();
  readonly #key = randomBytes(32);
  readonly #users: Readonly<Record<string, ProxyUser>>;
  readonly #limits: Pick<ProxyLimits, 'authFailureDelay' | 'maxAuthFailureDelay'>;

  constructor(
    users: Readonly<Record<string, ProxyUser>>,
    limits: Pick<ProxyLimits, 'authFailureDelay' | 'maxAuthFailureDelay'>,
  ) {
    this.#users = users;
    this.#limits = limits;
  }

  /** Whether `name` is a configured user. */
  knows(name: string): boolean {
    return Object.hasOwn(this.#users, name);
  }

  /** The delay before the next failure from `address` is answered, in ms. */
  failureDelay(address: string, now = Date.now()): number {
    const record = this.#failures.get(address);
    const previous = record !== undefined && now - record.last < FAILURE_MEMORY_MS ? record.count : 0;
    const base = this.#limits.authFailureDelay * 1000;
    return Math.min(
      base * 2 ** Math.min(previous, 16),
      Math.max(base, this.#limits.maxAuthFailureDelay * 1000),
    );
  }

  #recordFailure(address: string, now: number): void {
    const record = this.#failures.get(address);
    const count = record !== undefined && now - record.last < FAILURE_MEMORY_MS ? record.count + 1 : 1;
    this.#failures.delete(address);
    this.#failures.set(address, { count, last: now });
    if (this.#failures.size > MAX_ADDRESSES) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
  }

  /**
   * Checks a password with scrypt, or from the memory of an earlier success (an HMAC under a
   * per-process key, for 10 minutes, dropped when the hash changes). Concurrent checks of the
   * same password share one scrypt run: 500 devices connecting at once cost one, not 500.
   */
  async #verify(name: string, password: string, passwordHash: string): Promise<boolean> {
    const mac = createHmac('sha256', this.#key).update(name).update('\0').update(password).digest();
    const known = this.#verified.get(name);
    if (
      known !== undefined &&
      known.passwordHash === passwordHash &&
      known.until > Date.now() &&
      timingSafeEqual(known.mac, mac)
    ) {
      return true;
    }
    const key = mac.toString('base64');
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = verifyPassword(password, passwordHash).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const ok = await pending;
    if (ok) this.#verified.set(name, { mac, passwordHash, until: Date.now() + VERIFIED_MEMORY_MS });
    return ok;
  }

  /**
   * The user when `password` is theirs and they may use this listener; otherwise `undefined`,
   * after the failure delay.
   *
   * @param allowed The users of the listener; `undefined`: every user.
   */
  async check(
    address: string,
    name: string,
    password: string,
    allowed: readonly string[] | undefined,
    signal?: AbortSignal,
  ): Promise<ProxyUser | undefined> {
    const started = Date.now();
    const delay = this.failureDelay(address, started);
    const user =
      Object.hasOwn(this.#users, name) && (allowed === undefined || allowed.includes(name))
        ? this.#users[name]
        : undefined;
    let ok = false;
    if (user !== undefined && password !== '') ok = await this.#verify(name, password, user.passwordHash);
    if (ok) {
      this.#failures.delete(address);
      return user;
    }
    this.#recordFailure(address, started);
    const left = started + delay - Date.now();
    if (left > 0) await sleep(left, signal, 'a refused login').catch(() => undefined);
    return undefined;
  }
}
