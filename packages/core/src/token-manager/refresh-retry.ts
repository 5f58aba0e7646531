/**
 * The token manager's retries: a token request, and the write of freshly rotated tokens, are
 * retried after transient failures with exponential back-off and jitter, honouring `Retry-After`.
 *
 * @module
 */
import { sleep } from '../abort.js';
import { AuthorizerError } from '../errors.js';
import { checkCount, type RefreshAttempt, type RefreshRetryOptions } from './options.js';

/** One attempt as the manager reports it (its `refresh` event, without the account). */
export type AttemptReport = Omit<RefreshAttempt, 'account'>;

/**
 * The retry policy of {@link RefreshRetryOptions}, checked once.
 *
 * @example
 * ```ts
 * const retry = new RefreshRetry({ retries: 5 });
 * const tokens = await retry.request(() => refreshTokens(provider, refreshToken), signal, 'waiting for an access token', report);
 * ```
 */
export class RefreshRetry {
  readonly #retries: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #maxRetryAfter: number;

  /** @throws {TypeError} when an option is not a whole number >= 0. */
  constructor(options: RefreshRetryOptions = {}) {
    this.#retries = checkCount('retry.retries', options.retries, 3);
    this.#baseDelay = checkCount('retry.baseDelay', options.baseDelay, 500);
    this.#maxDelay = checkCount('retry.maxDelay', options.maxDelay, 10_000);
    this.#maxRetryAfter = checkCount('retry.maxRetryAfter', options.maxRetryAfter, 60_000);
  }

  /**
   * One token request, retried after transient failures with back-off; each attempt is reported.
   * `signal` stops a back-off (with `OAUTH_ABORTED`, saying `waiting`), never a request.
   */
  async request<T>(
    request: () => Promise<T>,
    signal: AbortSignal,
    waiting: string,
    report: (attempt: AttemptReport) => void,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const result = await request();
        report({ attempt, durationMs: performance.now() - started, ok: true });
        return result;
      } catch (error) {
        report({
          attempt,
          durationMs: performance.now() - started,
          ok: false,
          ...(error instanceof Error && { error }),
        });
        if (!this.#retriable(error, attempt)) throw error;
        const delay = this.#backoff(attempt, (error as AuthorizerError).retryAfter);
        if (delay === undefined) throw error;
        await sleep(delay, signal, waiting);
      }
    }
  }

  /**
   * A store write retried after transient failures (a Redis restart, a network blip) with the
   * same back-off. It takes no signal: one caller giving up must not drop the only copy of
   * freshly rotated tokens.
   */
  async write(write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        if (!this.#retriable(error, attempt)) throw error;
        await sleep(this.#backoff(attempt, undefined) as number, undefined);
      }
    }
  }

  #retriable(error: unknown, attempt: number): boolean {
    return error instanceof AuthorizerError && error.transient && attempt <= this.#retries;
  }

  /** The wait before retry `attempt`, or `undefined` when the server asks for more than we wait. */
  #backoff(attempt: number, retryAfter: number | undefined): number | undefined {
    if (retryAfter !== undefined) {
      const ms = retryAfter * 1000;
      return ms <= this.#maxRetryAfter ? ms : undefined;
    }
    const ceiling = Math.min(this.#maxDelay, this.#baseDelay * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }
}
