import { createInterface, type Interface } from 'node:readline';
import type { RedirectReceiver } from '@oauth-authorizer/core';
import type { Output } from './output.js';

/**
 * A `RedirectReceiver` for machines without a browser (`authorize --no-open`): it waits for the
 * redirect on the loopback listener *and* for the user to paste the redirected URL (the browser's
 * address bar, from another machine) on stdin, whichever comes first. A pasted line that is not
 * the redirect of this request (no or another `state`) is reported and the wait goes on; a pasted
 * query string (`code=…&state=…`) is accepted too.
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
  #lines: Interface | undefined;

  constructor(listener: RedirectReceiver, input: NodeJS.ReadableStream, output: Output) {
    this.#listener = listener;
    this.#input = input;
    this.#output = output;
  }

  get redirectUri(): string {
    return this.#listener.redirectUri;
  }

  waitForCallback(options: { state: string; signal?: AbortSignal }): Promise<URL> {
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const fromListener = this.#listener.waitForCallback({ state: options.state, signal });
    const fromPaste = new Promise<URL>((resolve) => {
      const lines = createInterface({
        input: this.#input,
        crlfDelay: Number.POSITIVE_INFINITY,
        terminal: false,
      });
      this.#lines = lines;
      lines.on('line', (line) => {
        const url = this.#parse(line.trim());
        if (url === undefined) return;
        if (url.searchParams.get('state') !== options.state) {
          this.#output.warn(
            'that is not the redirect of this authorization (its "state" differs); paste the newest one',
          );
          return;
        }
        resolve(url);
      });
    });
    // Neither side may leave an unhandled rejection once the other has won.
    fromListener.catch(() => undefined);
    return Promise.race([fromListener, fromPaste]).finally(() => {
      stop.abort();
      this.#closeLines();
    });
  }

  async close(): Promise<void> {
    this.#closeLines();
    await this.#listener.close();
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
