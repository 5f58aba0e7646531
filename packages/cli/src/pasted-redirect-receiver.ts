import { createInterface, type Interface } from 'node:readline';
import type { RedirectReceiver } from '@oauth-authorizer/core';
import type { Output } from './output.js';

/** Options of {@link PastedRedirectReceiver}. */
export interface PastedRedirectOptions {
  /** Read pasted redirects from the start. Default: true; `false` waits for {@link PastedRedirectReceiver.acceptPaste}. */
  acceptPaste?: boolean;
}

/** The wait in progress: the state it expects and how to end it with a pasted URL. */
interface PendingWait {
  state: string;
  resolve(url: URL): void;
}

/**
 * A `RedirectReceiver` for machines without a browser: it waits for the redirect on the loopback
 * listener *and* for the user to paste the redirected URL (the browser's address bar, from another
 * machine) on stdin, whichever comes first. With `--no-open` or over SSH without a display, pasting
 * is on from the start; otherwise it is turned on by {@link acceptPaste} once opening a browser
 * failed, so that stdin is left alone while a local browser does the work. A pasted line that is
 * not the redirect of this request (no or another `state`) is reported and the wait goes on; a
 * pasted query string (`code=…&state=…`) is accepted too.
 *
 * @example
 * ```ts
 * const listener = await startRedirectListener('http://127.0.0.1/callback');
 * const receiver = new PastedRedirectReceiver(listener, process.stdin, output);
 * const tokens = await authorizeWithCode(provider, { receiver, userAgent });
 * ```
 */
export class PastedRedirectReceiver implements RedirectReceiver {
  readonly #listener: RedirectReceiver;
  readonly #input: NodeJS.ReadableStream;
  readonly #output: Output;
  #accepting: boolean;
  #pending: PendingWait | undefined;
  #lines: Interface | undefined;

  constructor(
    listener: RedirectReceiver,
    input: NodeJS.ReadableStream,
    output: Output,
    options: PastedRedirectOptions = {},
  ) {
    this.#listener = listener;
    this.#input = input;
    this.#output = output;
    this.#accepting = options.acceptPaste !== false;
  }

  get redirectUri(): string {
    return this.#listener.redirectUri;
  }

  /** Whether a pasted redirect is read from stdin now. */
  get acceptingPaste(): boolean {
    return this.#accepting;
  }

  /** Starts reading pasted redirects from stdin, for the wait in progress and every later one. */
  acceptPaste(): void {
    this.#accepting = true;
    if (this.#pending) this.#startReading();
  }

  waitForCallback(options: {
    state: string;
    signal?: AbortSignal;
    validate?: (callback: URL) => void;
  }): Promise<URL> {
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    // The listener shows the browser "complete" only for a response that passes core's validation.
    const fromListener = this.#listener.waitForCallback({
      state: options.state,
      signal,
      ...(options.validate && { validate: options.validate }),
    });
    const fromPaste = new Promise<URL>((resolve) => {
      this.#pending = { state: options.state, resolve };
    });
    if (this.#accepting) this.#startReading();
    // Neither side may leave an unhandled rejection once the other has won.
    fromListener.catch(() => undefined);
    return Promise.race([fromListener, fromPaste]).finally(() => {
      this.#pending = undefined;
      stop.abort();
      this.#closeLines();
    });
  }

  async close(): Promise<void> {
    this.#closeLines();
    await this.#listener.close();
  }

  #startReading(): void {
    if (this.#lines) return;
    const lines = createInterface({
      input: this.#input,
      crlfDelay: Number.POSITIVE_INFINITY,
      terminal: false,
    });
    this.#lines = lines;
    lines.on('line', (line) => {
      const pending = this.#pending;
      if (!pending) return;
      const url = this.#parse(line.trim());
      if (url === undefined) return;
      if (url.searchParams.get('state') !== pending.state) {
        this.#output.warn(
          'that is not the redirect of this authorization (its "state" differs); paste the newest one',
        );
        return;
      }
      pending.resolve(url);
    });
  }

  #parse(text: string): URL | undefined {
    if (text === '') return undefined;
    try {
      return new URL(text);
    } catch {
      if (text.includes('=')) {
        const url = new URL(this.redirectUri);
        url.search = text.replace(/^[^?]*\?/, '');
        return url;
      }
      this.#output.warn('that is not a URL; paste the whole address from the browser');
      return undefined;
    }
  }

  #closeLines(): void {
    this.#lines?.close();
    this.#lines = undefined;
  }
}
