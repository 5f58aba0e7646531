/**
 * The options of the redirect listener, and the event it reports for each request.
 *
 * @module
 */
import type { FailurePageDetails, PageTemplate, SuccessPageDetails } from './pages.js';
import type { RedirectListener, startRedirectListener } from './redirect-listener.js';

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
