import { timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  AuthorizerError,
  abortError as coreAbortError,
  OAUTH_ABORTED,
  OAUTH_LISTENER_CLOSED,
  OAUTH_LISTENER_FAILED,
  OAUTH_LISTENER_TIMEOUT,
  type RedirectReceiver,
} from '@oauth-authorizer/core';
import {
  defaultFailurePage,
  defaultSuccessPage,
  escapeHtml,
  type FailurePageDetails,
  type PageTemplate,
  renderPage,
  SECURITY_HEADERS,
  type SuccessPageDetails,
  strayPage,
} from './pages.js';
import { parseRedirectUrl, type RedirectTarget } from './redirect-url.js';

/**
 * The certificate of an `https:` redirect URL.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 *
 * const https: RedirectListenerHttpsOptions = {
 *   key: readFileSync('key.pem'),
 *   cert: readFileSync('cert.pem'),
 * };
 * ```
 */
export interface RedirectListenerHttpsOptions {
  /** The private key, PEM. */
  key: string | Buffer;
  /** The certificate (chain), PEM. */
  cert: string | Buffer;
  /** The passphrase of an encrypted key. */
  passphrase?: string;
}

/**
 * Options of {@link RedirectListener} and {@link startRedirectListener}.
 *
 * @example
 * ```ts
 * const options: RedirectListenerOptions = {
 *   timeout: 5 * 60_000,
 *   successPage: '<!doctype html><title>Done</title><p>Back to your mail client.</p>',
 * };
 * ```
 */
export interface RedirectListenerOptions {
  /**
   * How long {@link RedirectListener.waitForCallback} waits for the redirect, in ms; `Infinity`
   * waits until the callback, `close()` or an abort. Default: 600 000 (10 minutes)
   */
  timeout?: number;
  /** Cancels listening and any wait; the listener closes itself. */
  signal?: AbortSignal;
  /**
   * Listens on a host that is not loopback (another machine could then receive the authorization
   * code). Default: false
   */
  allowNonLoopback?: boolean;
  /** Serves an `https:` redirect URL with this certificate. Default: none (`http:` only) */
  https?: RedirectListenerHttpsOptions;
  /** The page shown after a successful redirect. Default: "Authorization complete — you can close this window" */
  successPage?: PageTemplate<SuccessPageDetails>;
  /** The page shown after an `error` redirect (e.g. the user denied consent). Default: a short page naming the error */
  failurePage?: PageTemplate<FailurePageDetails>;
  /** The longest request target (path and query) accepted, in characters; longer ones get 414. Default: 8192 */
  maxUrlLength?: number;
  /**
   * Called for each request when it has been answered, and when a callback that came before
   * `waitForCallback()` is held: for debug logs. Exceptions it throws are ignored.
   */
  onRequest?: (event: ListenerRequestEvent) => void;
}

/**
 * One request the listener saw. It has the path but never the query, which carries the code.
 *
 * @example
 * ```ts
 * const onRequest = ({ method, path, outcome }: ListenerRequestEvent) =>
 *   console.error(`redirect listener: ${method} ${path} -> ${outcome}`);
 * ```
 */
export interface ListenerRequestEvent {
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** The request path without the query, cut to 200 characters. */
  path: string;
  /** The status answered, or `'held'` for a callback kept until `waitForCallback()`. */
  outcome: number | 'held';
}

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
/** Attempts to find a port free on both families for `localhost` with port 0. */
const DUAL_STACK_ATTEMPTS = 10;

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

function hostForMessage(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function listenFailed(error: NodeJS.ErrnoException, address: string, port: number): AuthorizerError {
  const where = `${hostForMessage(address)}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: port ${port} is already in use; choose another port in the redirect URL, or port 0 for any free port`,
        {
          cause: error,
          hint: `another program holds port ${port}: put another port (or port 0) in the redirect URL`,
        },
      );
    case 'EACCES':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a port above 1023 in the redirect URL, or port 0`,
        { cause: error, hint: 'put a port above 1023 (or port 0) in the redirect URL' },
      );
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: the address ${hostForMessage(address)} does not exist on this machine`,
        { cause: error, hint: 'use 127.0.0.1 as the redirect URL host' },
      );
    default:
      return new AuthorizerError(
        OAUTH_LISTENER_FAILED,
        `cannot listen on ${where}: ${error.code ?? error.message}`,
        {
          cause: error,
        },
      );
  }
}

function listenOn(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/** What `validate` threw for `target`, boxed (anything may be thrown); `undefined` when it passed or there is none. */
function validationRefusal(
  validate: ((callback: URL) => void) | undefined,
  target: URL,
): { error: unknown } | undefined {
  if (validate === undefined) return undefined;
  try {
    // A copy: the check must not change the URL the wait resolves with.
    validate(new URL(target.href));
    return undefined;
  } catch (error) {
    return { error };
  }
}

/**
 * The failure page's sentence for a refused response; `''` for the refusal of an `error` redirect
 * (core's `AuthorizationResponseError` carries the redirect's `error`), whose own fields are shown.
 */
function problemOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'it did not pass validation';
  const { error: redirectError, message } = error as { error?: unknown; message?: unknown };
  if (typeof redirectError === 'string') return '';
  return typeof message === 'string' && message !== '' ? message : 'it did not pass validation';
}

function sameState(expected: Buffer, received: string): boolean {
  const candidate = Buffer.from(received, 'utf8');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
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
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #held: HeldRequest[] = [];
  #phase: Phase = 'new';
  #port = 0;
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
    return `${target.protocol}//${target.host}:${this.#port}${target.suffix}`;
  }

  /** The port listened on (0 before {@link RedirectListener.listen}). */
  get port(): number {
    return this.#port;
  }

  /** Whether the listener is accepting connections right now. */
  get listening(): boolean {
    return this.#servers.some((server) => server.listening);
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
    await this.#bindAll(target);
  }

  async #bindAll(target: RedirectTarget): Promise<void> {
    const [first, ...others] = target.addresses;
    if (first === undefined) throw new Error('no address to listen on');
    const attempts = target.port === 0 && others.length > 0 ? DUAL_STACK_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const primary = this.#createServer();
      try {
        this.#port = await listenOn(primary, first, target.port);
      } catch (error) {
        throw listenFailed(error as NodeJS.ErrnoException, first, target.port);
      }
      this.#servers.push(primary);
      try {
        for (const address of others) {
          const server = this.#createServer();
          try {
            await listenOn(server, address, this.#port);
            this.#servers.push(server);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // A machine without IPv6 has no ::1: browsers there do not try it either. But a port
            // that somebody else holds on the other family would hand them the authorization code.
            if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') continue;
            throw listenFailed(error as NodeJS.ErrnoException, address, this.#port);
          }
        }
        return;
      } catch (error) {
        await Promise.all(this.#servers.splice(0).map(stopListening));
        if (attempt >= attempts) throw error;
      }
    }
  }

  #createServer(): Server {
    const maxUrlLength = this.#options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
    // Node answers 431 on its own past maxHeaderSize; leave room so that our 414 is what callers see.
    const serverOptions = { maxHeaderSize: Math.max(16_384, maxUrlLength + 8192), keepAliveTimeout: 5000 };
    const handler = (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res);
    const { https } = this.#options;
    const server: Server = https
      ? (createHttpsServer({ ...serverOptions, ...https }, handler) as unknown as Server)
      : createHttpServer(serverOptions, handler);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    if (https) {
      server.on('secureConnection', (socket: Socket) => {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
      });
    }
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = strayPage('Bad request', 'This request could not be read.');
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          'content-type: text/html; charset=utf-8\r\n' +
          Object.entries(SECURITY_HEADERS)
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('') +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    return server;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const raw = req.url ?? '';
    const seen = { method: req.method ?? '', path: (raw.split('?', 1)[0] ?? '').slice(0, 200) };
    res.once('finish', () => this.#report({ ...seen, outcome: res.statusCode }));
    if (this.#phase !== 'listening' || this.#received) {
      this.#reply(res, 410, 'Gone', 'This sign-in is over. You can close this window.', true);
      return;
    }
    if (raw.length > (this.#options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH)) {
      this.#reply(res, 414, 'URI too long', 'The address of this request is too long.', true);
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      // The body of a POST is not read: closing the connection is simpler than draining it.
      this.#reply(res, 405, 'Method not allowed', 'Only the browser redirect (GET) is accepted here.', true);
      return;
    }
    // Only origin-form targets ("/path?query"): a proxy-style absolute URL is not a redirect.
    if (!raw.startsWith('/')) {
      this.#reply(res, 400, 'Bad request', 'This request could not be read.', false);
      return;
    }
    const where = this.#target!;
    const target = new URL(`${where.protocol}//${where.host}:${this.#port}${raw}`);
    if (target.pathname !== where.path) {
      this.#reply(res, 404, 'Not found', 'There is nothing here.', false);
      return;
    }
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
      this.#reply(res, 410, 'Gone', 'This sign-in is over. You can close this window.', true);
      return;
    }
    const states = target.searchParams.getAll('state');
    const [state] = states;
    if (state === undefined) {
      this.#reply(
        res,
        400,
        'Missing state',
        'This response carries no "state": it is not the sign-in.',
        false,
      );
      return;
    }
    if (states.length !== 1 || !sameState(waiter.state, state)) {
      this.#reply(res, 400, 'Unexpected state', 'This response belongs to another sign-in.', false);
      return;
    }

    this.#received = true;
    const refusal = validationRefusal(waiter.validate, target);
    const error = target.searchParams.get('error');
    const code = target.searchParams.get('code');
    const html =
      refusal === undefined && error === null && code
        ? renderPage(this.#options.successPage ?? defaultSuccessPage, {
            issuer: escapeHtml(target.searchParams.get('iss') ?? ''),
          })
        : renderPage(this.#options.failurePage ?? defaultFailurePage, {
            error: escapeHtml(error ?? ''),
            errorDescription: escapeHtml(target.searchParams.get('error_description') ?? ''),
            errorUri: escapeHtml(target.searchParams.get('error_uri') ?? ''),
            problem: escapeHtml(refusal === undefined ? '' : problemOf(refusal.error)),
          });
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
    const stopped = Promise.all(this.#servers.map(stopListening));
    for (const server of this.#servers) server.closeIdleConnections();
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
