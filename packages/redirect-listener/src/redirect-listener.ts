import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  AuthorizerError,
  abortError as coreAbortError,
  OAUTH_ABORTED,
  OAUTH_LISTENER_CLOSED,
  OAUTH_LISTENER_TIMEOUT,
  type RedirectReceiver,
} from '@oauth-authorizer/core';
import { type Bound, bindAll, createListenerServer, stopListening } from './bind.js';
import type { ListenerRequestEvent, RedirectListenerOptions } from './listener-options.js';
import { callbackPage, SECURITY_HEADERS, strayPage } from './pages.js';
import { parseRedirectUrl, type RedirectTarget } from './redirect-url.js';
import { checkRequest, checkState, type Refusal, validationRefusal } from './request-check.js';

interface Waiter {
  state: Buffer;
  /** Core's check of the response; the success page only for a response that passes it. */
  validate: ((callback: URL) => void) | undefined;
  resolve(url: URL): void;
  reject(error: unknown): void;
}

interface HeldRequest {
  res: ServerResponse;
  target: URL;
}

type Phase = 'new' | 'binding' | 'listening' | 'closing' | 'closed';

const DEFAULT_TIMEOUT = 600_000;
const MAX_TIMER_MS = 2_147_483_647;
const DEFAULT_MAX_URL_LENGTH = 8192;
/** Callback-path requests that arrived before `waitForCallback()` told the state, kept unanswered. */
const MAX_HELD_REQUESTS = 16;
/** How long connections still busy at close may finish before they are cut. */
const CLOSE_GRACE_MS = 250;
/** The answer to any request once the callback came or the listener closes. */
const GONE: Refusal = {
  status: 410,
  title: 'Gone',
  message: 'This sign-in is over. You can close this window.',
  close: true,
};

function abortError(signal: AbortSignal): AuthorizerError {
  return coreAbortError(signal, 'waiting for the authorization redirect');
}

function closedError(reason: string): AuthorizerError {
  return new AuthorizerError(OAUTH_LISTENER_CLOSED, `the redirect listener is closed: ${reason}`, {
    hint: 'start a new listener for each authorization',
  });
}

function formatDuration(ms: number): string {
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
      ? `${Math.round(ms / 1000)} s`
      : `${Math.round(ms / 60_000)} min`;
}

/**
 * The loopback HTTP(S) server that receives the authorization redirect of the code flow
 * (RFC 8252 §7.3). It implements core's `RedirectReceiver`: start it, give its
 * {@link RedirectListener.redirectUri} to the provider, and wait for the one redirect that carries
 * the request's `state`. Stray requests (favicons, scanners, a wrong or missing state, other
 * methods, oversized URLs) get a short 4xx page and do not end the wait. After the callback, a
 * timeout, an abort or `close()`, it stops listening and closes every connection.
 *
 * One listener serves one authorization; start a new one for the next.
 *
 * @example
 * ```ts
 * import { authorizeWithCode } from '@oauth-authorizer/core';
 * import { RedirectListener } from '@oauth-authorizer/redirect-listener';
 *
 * const listener = new RedirectListener('http://127.0.0.1:0/callback', { timeout: 120_000 });
 * await listener.listen();
 * try {
 *   const tokens = await authorizeWithCode(provider, {
 *     receiver: listener,
 *     userAgent: { openUrl: (url) => console.log(`Open ${url}`) },
 *   });
 * } finally {
 *   await listener.close();
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export class RedirectListener implements RedirectReceiver {
  readonly #redirectUrl: string;
  #target: RedirectTarget | undefined;
  readonly #options: RedirectListenerOptions;
  // The servers listening (one per address of the redirect URL) and their port.
  readonly #bound: Bound = { servers: [], port: 0 };
  readonly #sockets = new Set<Socket>();
  readonly #held: HeldRequest[] = [];
  #phase: Phase = 'new';
  #waiter: Waiter | undefined;
  #received = false;
  #binding: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closeReason = 'close() was called';
  #removeAbortListener: (() => void) | undefined;

  /**
   * Takes the redirect URL and options; {@link RedirectListener.listen} checks the URL and starts
   * listening.
   *
   * @param redirectUrl Where to listen: `http://127.0.0.1:PORT/path`, `http://[::1]:PORT/path` or
   *   `http://localhost:PORT/path` (both families). Port `0` or none means any free port.
   * @throws {TypeError} for an argument or option of the wrong type.
   */
  constructor(redirectUrl: string, options: RedirectListenerOptions = {}) {
    if (typeof redirectUrl !== 'string') throw new TypeError('redirectUrl must be a string');
    const { timeout, maxUrlLength } = options;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
      throw new TypeError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    }
    if (maxUrlLength !== undefined && !(Number.isInteger(maxUrlLength) && maxUrlLength > 0)) {
      throw new TypeError(`maxUrlLength must be a positive integer, got ${String(maxUrlLength)}`);
    }
    this.#options = options;
    this.#redirectUrl = redirectUrl;
  }

  /**
   * The exact redirect URI to send to the provider, with the port the listener really got.
   *
   * @throws {Error} before {@link RedirectListener.listen} has resolved, when the port is not known yet.
   */
  get redirectUri(): string {
    const target = this.#target;
    if (target === undefined || this.#phase === 'new' || this.#phase === 'binding') {
      throw new TypeError('redirectUri is known once listen() has resolved');
    }
    return `${target.protocol}//${target.host}:${this.#bound.port}${target.suffix}`;
  }

  /** The port listened on (0 before {@link RedirectListener.listen}). */
  get port(): number {
    return this.#bound.port;
  }

  /** Whether the listener is accepting connections right now. */
  get listening(): boolean {
    return this.#bound.servers.some((server) => server.listening);
  }

  /**
   * Starts listening on every address the redirect URL names, all on one port.
   *
   * @returns this listener, ready: read {@link RedirectListener.redirectUri} now.
   * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` for a redirect URL the listener cannot
   *   serve (not http(s), a fragment, user info, https without a certificate);
   *   `OAUTH_LISTENER_FAILED` for a host that is not loopback without `allowNonLoopback`, or when the
   *   port is in use, needs privileges or the address does not exist (the message names the port and
   *   what to do); `OAUTH_ABORTED` when `signal` aborted first; `OAUTH_LISTENER_CLOSED` when
   *   `close()` came first.
   */
  async listen(): Promise<this> {
    if (this.#phase !== 'new') throw new TypeError('listen() may be called once');
    const { signal } = this.#options;
    this.#phase = 'binding';
    if (signal) {
      const onAbort = () => this.#shutDown(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#removeAbortListener = () => signal.removeEventListener('abort', onAbort);
    }
    const binding = this.#start();
    this.#binding = binding.then(
      () => {},
      () => {},
    );
    try {
      await binding;
    } catch (error) {
      this.#removeAbortListener?.();
      this.#phase = 'closed';
      throw error;
    }
    if (this.#phase !== 'binding') {
      // close() or an abort came while binding; #shutDown closes what got bound.
      await this.#closing;
      throw signal?.aborted ? abortError(signal) : closedError('close() was called while it was starting');
    }
    this.#phase = 'listening';
    return this;
  }

  /**
   * Waits for the redirect that carries `state` on the expected path and resolves with its full URL
   * — also for an `error` redirect with the right `state` (core's `validateAuthorizationResponse`
   * turns it into an error). The browser gets the success or failure page first, then the listener
   * closes. Callback requests that arrived before this call are kept and checked now.
   *
   * @param options.state The `state` of the authorization request.
   * @param options.signal Cancels the wait; the listener closes.
   * @throws {AuthorizerError} `OAUTH_LISTENER_TIMEOUT` when no redirect came within `timeout`;
   *   `OAUTH_ABORTED` when a signal aborted; `OAUTH_LISTENER_CLOSED` when the listener is or gets
   *   closed.
   */
  waitForCallback(options: {
    state: string;
    signal?: AbortSignal;
    validate?: (callback: URL) => void;
  }): Promise<URL> {
    if (typeof options?.state !== 'string' || options.state === '') {
      throw new TypeError('waitForCallback() needs the non-empty state of the authorization request');
    }
    if (this.#phase === 'new' || this.#phase === 'binding') {
      throw new TypeError('call listen() and await it before waitForCallback()');
    }
    if (this.#waiter) throw new TypeError('waitForCallback() is already waiting');
    if (options.validate !== undefined && typeof options.validate !== 'function') {
      throw new TypeError('waitForCallback() "validate" must be a function');
    }
    if (this.#phase !== 'listening') {
      return Promise.reject(closedError(this.#closeReason));
    }
    const { signal } = options;
    if (signal?.aborted) {
      this.#shutDown(abortError(signal));
      return Promise.reject(abortError(signal));
    }

    return new Promise<URL>((resolve, reject) => {
      const timeout = this.#options.timeout ?? DEFAULT_TIMEOUT;
      // Past 2^31-1 ms Node fires a timer at once; a wait that long is no wait limit at all.
      const timer =
        timeout <= MAX_TIMER_MS
          ? setTimeout(() => {
              // The callback came and its page is still being sent: it wins over the timeout.
              if (this.#received) return;
              this.#shutDown(
                new AuthorizerError(
                  OAUTH_LISTENER_TIMEOUT,
                  `no authorization redirect arrived at ${this.redirectUri} within ${formatDuration(timeout)}`,
                  { hint: 'finish signing in in the browser sooner, or allow a longer timeout' },
                ),
              );
            }, timeout)
          : undefined;
      const onAbort = () => this.#shutDown(abortError(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiter = undefined;
      };
      this.#waiter = {
        state: Buffer.from(options.state, 'utf8'),
        validate: options.validate,
        resolve: (url) => {
          settle();
          resolve(url);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      for (const held of this.#held.splice(0)) this.#answerCallback(held.res, held.target);
    });
  }

  /**
   * Stops listening and closes every connection; a pending wait rejects with
   * `OAUTH_LISTENER_CLOSED`. Safe to call more than once; resolves when all is closed.
   */
  close(): Promise<void> {
    this.#shutDown(closedError('close() was called'));
    return this.#closing ?? Promise.resolve();
  }

  async #start(): Promise<void> {
    const { signal } = this.#options;
    if (signal?.aborted) throw abortError(signal);
    const target = parseRedirectUrl(this.#redirectUrl, {
      https: this.#options.https !== undefined,
      allowNonLoopback: this.#options.allowNonLoopback === true,
    });
    this.#target = target;
    const settings = {
      maxUrlLength: this.#options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH,
      https: this.#options.https,
      handler: (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res),
      sockets: this.#sockets,
    };
    await bindAll(target, () => createListenerServer(settings), this.#bound);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const raw = req.url ?? '';
    const seen = { method: req.method ?? '', path: (raw.split('?', 1)[0] ?? '').slice(0, 200) };
    res.once('finish', () => this.#report({ ...seen, outcome: res.statusCode }));
    if (this.#phase !== 'listening' || this.#received) {
      this.#refuse(res, GONE);
      return;
    }
    const where = this.#target as RedirectTarget;
    const verdict = checkRequest(req.method, raw, {
      origin: `${where.protocol}//${where.host}:${this.#bound.port}`,
      path: where.path,
      maxUrlLength: this.#options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH,
    });
    if (verdict.refusal) {
      this.#refuse(res, verdict.refusal);
      return;
    }
    const target = verdict.callback;
    if (!this.#waiter) {
      // The browser may come back before the flow has asked to wait (an `openUrl` that awaits
      // the whole sign-in): keep the request open and answer it once the state is known.
      if (this.#held.length >= MAX_HELD_REQUESTS) {
        this.#reply(res, 503, 'Busy', 'Too many requests are waiting. Try again shortly.', true);
        return;
      }
      this.#held.push({ res, target });
      this.#report({ ...seen, outcome: 'held' });
      return;
    }
    this.#answerCallback(res, target);
  }

  #answerCallback(res: ServerResponse, target: URL): void {
    const waiter = this.#waiter;
    if (!waiter || this.#received) {
      this.#refuse(res, GONE);
      return;
    }
    const wrongState = checkState(target, waiter.state);
    if (wrongState) {
      this.#refuse(res, wrongState);
      return;
    }

    this.#received = true;
    const refusal = validationRefusal(waiter.validate, target);
    const html = callbackPage(target, refusal, this.#options);
    res.statusCode = 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('connection', 'close');
    let delivered = false;
    // Resolve once the page is on its way, so a caller that exits right after still shows it; a
    // browser that hung up early does not lose the code either.
    const deliver = () => {
      if (delivered) return;
      delivered = true;
      if (refusal === undefined) waiter.resolve(target);
      else waiter.reject(refusal.error);
      this.#shutDown(undefined);
    };
    res.once('finish', deliver);
    res.once('close', deliver);
    res.end(html);
    // A held request whose browser already went away emits neither event any more.
    if (res.destroyed || res.socket === null || res.socket.destroyed) deliver();
  }

  #report(event: ListenerRequestEvent): void {
    try {
      this.#options.onRequest?.(event);
    } catch {
      // A debug hook must not break the listener.
    }
  }

  #refuse(res: ServerResponse, refusal: Refusal): void {
    if (refusal.allow !== undefined) res.setHeader('allow', refusal.allow);
    this.#reply(res, refusal.status, refusal.title, refusal.message, refusal.close);
  }

  #reply(res: ServerResponse, status: number, title: string, message: string, close: boolean): void {
    res.statusCode = status;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (close) res.setHeader('connection', 'close');
    res.end(strayPage(title, message));
  }

  /** Ends the wait (with `error`, unless the callback already settled it) and closes everything. */
  #shutDown(error: AuthorizerError | undefined): void {
    if (error && this.#waiter) this.#waiter.reject(error);
    if (this.#phase === 'closing' || this.#phase === 'closed') return;
    this.#closeReason =
      error === undefined
        ? 'it already received its callback'
        : error.code === OAUTH_LISTENER_TIMEOUT
          ? 'it stopped waiting at its timeout'
          : error.code === OAUTH_ABORTED
            ? 'it was aborted'
            : 'close() was called';
    if (this.#phase === 'new') {
      this.#phase = 'closed';
      return;
    }
    const binding = this.#phase === 'binding' ? this.#binding : undefined;
    this.#phase = 'closing';
    this.#removeAbortListener?.();
    for (const held of this.#held.splice(0)) {
      this.#reply(held.res, 503, 'Closed', 'The application stopped waiting for this sign-in.', true);
    }
    this.#closing = (binding ?? Promise.resolve()).then(() => this.#closeServers());
  }

  async #closeServers(): Promise<void> {
    const stopped = Promise.all(this.#bound.servers.map(stopListening));
    for (const server of this.#bound.servers) server.closeIdleConnections();
    // A connection still sending or receiving gets a moment to finish (the page just answered may
    // still be in flight); then it is cut, so no socket outlives the listener.
    const cut = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    await stopped;
    clearTimeout(cut);
    this.#phase = 'closed';
  }
}

/**
 * Creates a {@link RedirectListener} and waits until it listens.
 *
 * @param redirectUrl Where to listen, e.g. `http://127.0.0.1:0/callback` (port 0: any free port).
 * @returns the listening listener; its `redirectUri` carries the real port.
 * @throws {AuthorizerError} `OAUTH_LISTENER_FAILED` (port in use, not loopback, ...),
 *   `OAUTH_INVALID_CONFIGURATION` (unusable redirect URL), `OAUTH_ABORTED`.
 *
 * @example
 * ```ts
 * import { startRedirectListener } from '@oauth-authorizer/redirect-listener';
 *
 * const listener = await startRedirectListener('http://localhost:0/callback');
 * console.log(listener.redirectUri); // e.g. http://localhost:49152/callback
 * const callback = await listener.waitForCallback({ state: 'the-request-state' });
 * console.log(callback.searchParams.has('code'));
 * ```
 */
export async function startRedirectListener(
  redirectUrl: string,
  options: RedirectListenerOptions = {},
): Promise<RedirectListener> {
  return await new RedirectListener(redirectUrl, options).listen();
}
