import type { DeviceCodePrompt, DevicePollEvent, UserAgent } from '@oauth-authorizer/core';
import { openInBrowser } from './browser.js';
import { copyToClipboard } from './clipboard.js';
import type { Output } from './output.js';

/** Options of {@link TerminalUserAgent}. */
export interface TerminalUserAgentOptions {
  /** Where URLs, codes and progress are shown (stderr). */
  output: Output;
  /** Only print the URL; do not start a browser. Default: false */
  noOpen?: boolean;
  /** The environment (`$BROWSER`). Default: `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: `process.platform` */
  platform?: string;
  /** Lines shown after the authorization URL: where the redirect is awaited, how to paste it. */
  authorizationNote?: string;
  /** Called when the browser could not be opened (after the warning): e.g. to accept a pasted redirect. */
  onOpenFailed?: () => void;
  /** Copy the device code, or the authorization URL, to the clipboard (`--clipboard`). Default: false */
  clipboard?: boolean;
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Core's `UserAgent` for a terminal: prints the authorization or verification URL (always), opens
 * it with `$BROWSER` or the platform's opener (unless `noOpen`), and for the device flow shows
 * the user code, a QR code of the complete verification URL and a countdown to the code's
 * expiry — the last two only when stderr is a terminal. Everything goes to stderr.
 *
 * @example
 * ```ts
 * const userAgent = new TerminalUserAgent({ output, noOpen: false });
 * try {
 *   await authorizeWithDeviceCode(provider, { userAgent, onPoll: (event) => userAgent.onPoll(event) });
 * } finally {
 *   userAgent.stop();
 * }
 * ```
 */
export class TerminalUserAgent implements UserAgent {
  readonly #output: Output;
  readonly #noOpen: boolean;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #platform: string;
  readonly #authorizationNote: string | undefined;
  readonly #onOpenFailed: (() => void) | undefined;
  readonly #clipboard: boolean;
  #countdown: NodeJS.Timeout | undefined;
  #status = '';
  /** When the shown device code expires; the wait for it is shown once the page is opened. */
  #deviceCodeExpiresAt: number | undefined;

  constructor(options: TerminalUserAgentOptions) {
    this.#output = options.output;
    this.#noOpen = options.noOpen === true;
    this.#env = options.env ?? process.env;
    this.#platform = options.platform ?? process.platform;
    this.#authorizationNote = options.authorizationNote;
    this.#onOpenFailed = options.onOpenFailed;
    this.#clipboard = options.clipboard === true;
  }

  /** With `--clipboard`, copies `text` and says with what, or that it could not. */
  async #copy(text: string, what: string): Promise<void> {
    if (!this.#clipboard) return;
    const by = await copyToClipboard(text, {
      env: this.#env,
      platform: this.#platform,
      terminal: this.#output.streams.stderr,
    });
    if (by) this.#output.info(this.#output.errorStyle.dim(`Copied the ${what} to the clipboard (${by}).`));
    else
      this.#output.warn(
        `could not copy the ${what}: no clipboard tool (wl-copy, xclip, pbcopy, clip) worked and stderr is not a terminal`,
      );
  }

  async openUrl(url: string, purpose: 'authorization' | 'verification'): Promise<void> {
    const s = this.#output.errorStyle;
    if (purpose === 'authorization') {
      this.#output.info(`${s.bold('Open this URL in a browser to authorize:')}\n\n  ${s.cyan(url)}\n`);
      if (this.#authorizationNote) this.#output.info(s.dim(this.#authorizationNote));
      await this.#copy(url, 'URL');
    }
    if (!this.#noOpen) {
      try {
        await openInBrowser(url, this.#env, this.#platform);
        this.#output.info(s.dim(`Opened the ${purpose} page in the browser.`));
      } catch (error) {
        this.#output.warn(`could not open a browser (${(error as Error).message}); open the URL yourself`);
        this.#onOpenFailed?.();
      }
    }
    if (purpose === 'verification' && this.#deviceCodeExpiresAt !== undefined)
      this.#showWait(this.#deviceCodeExpiresAt);
  }

  async showDeviceCode(authorization: DeviceCodePrompt): Promise<void> {
    const s = this.#output.errorStyle;
    const lines = [
      s.bold('To authorize, open'),
      '',
      `  ${s.cyan(authorization.verificationUri)}`,
      '',
      `${s.bold('and enter the code')}  ${s.bold(s.green(authorization.userCode))}`,
    ];
    if (authorization.verificationUriComplete) {
      lines.push(
        '',
        `${s.dim('or open, with the code filled in:')} ${s.cyan(authorization.verificationUriComplete)}`,
      );
    }
    this.#output.info(`${lines.join('\n')}\n`);
    await this.#copy(authorization.userCode, 'code');
    if (this.#output.interactiveStderr) {
      this.#output.info(
        await this.#qrCode(authorization.verificationUriComplete ?? authorization.verificationUri),
      );
    }
    this.#deviceCodeExpiresAt = authorization.expiresAt;
  }

  /** Shows why polling goes on (`slow_down`, a retry after a network error) next to the countdown. */
  onPoll(event: DevicePollEvent): void {
    if (event.status === 'slow_down')
      this.#status = ` (the server asked to slow down: polling every ${event.interval} s)`;
    else if (event.status === 'retry') this.#status = ` (network error; retrying in ${event.interval} s)`;
    else this.#status = '';
    if (!this.#output.interactiveStderr && event.status !== 'pending')
      this.#output.info(`Still waiting${this.#status}.`);
  }

  /** Stops the countdown and clears its line. Safe to call twice. */
  stop(): void {
    if (this.#countdown === undefined) return;
    clearInterval(this.#countdown);
    this.#countdown = undefined;
    this.#output.streams.stderr.write('\r\u001b[2K');
  }

  /** A countdown to the device code's expiry on a terminal; one line about it otherwise. */
  #showWait(expiresAt: number): void {
    if (!this.#output.interactiveStderr) {
      const minutes = Math.max(1, Math.round((expiresAt - Date.now()) / 60_000));
      this.#output.info(
        `Waiting for the approval; the code expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      );
      return;
    }
    const s = this.#output.errorStyle;
    const draw = () => {
      this.#output.streams.stderr.write(
        `\r\u001b[2K${s.dim(`Waiting for the approval… ${formatDuration(expiresAt - Date.now())} left${this.#status}`)}`,
      );
    };
    draw();
    this.#countdown = setInterval(draw, 1000);
    // The countdown alone must not keep the process alive.
    this.#countdown.unref();
  }

  async #qrCode(url: string): Promise<string> {
    const { renderUnicodeCompact } = await import('uqr');
    const qr = renderUnicodeCompact(url, { border: 2, ecc: 'L' });
    // uqr draws light modules as blocks (for a light-on-dark terminal); with colours, fix both
    // colours so that a light-themed terminal shows a scannable code too.
    if (this.#output.errorStyle.bold('') === '') return qr;
    return qr
      .split('\n')
      .map((line) => `\u001b[97;40m${line}\u001b[0m`)
      .join('\n');
  }
}
