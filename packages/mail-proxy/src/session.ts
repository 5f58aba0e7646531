import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket } from 'node:tls';
import { AuthorizerError, isLoopbackAddress, OAUTH_AUTHORIZATION_REQUIRED } from '@oauth-authorizer/core';
import {
  type AccessTokenSource,
  MailAuthenticationError,
  withTokenRetry,
} from '@oauth-authorizer/mail-adapters';
import type { ListenerConfig, ProxyLimits } from './config.js';
import { LineReader, LineTooLongError } from './line-reader.js';
import type { ProxyLogger, SessionOutcome } from './log.js';
import type { LoginGuard } from './login-guard.js';
import { relay, type ServerBytesFilter } from './relay.js';
import type { UpstreamLogin, UpstreamSession } from './upstream-channel.js';
import type { UpstreamTarget } from './upstream-connection.js';

const isAuthorizationRequired = (error: unknown): boolean =>
  error instanceof AuthorizerError && error.code === OAUTH_AUTHORIZATION_REQUIRED;

/** What every session of one listener shares. */
export interface ListenerRuntime {
  config: ListenerConfig;
  limits: ProxyLimits;
  guard: LoginGuard;
  logger: ProxyLogger;
  upstream: UpstreamTarget;
  /** The local certificate, for `implicit` and `starttls`. */
  secureContext: SecureContext | undefined;
  tokenSource(account: string): AccessTokenSource;
  /** The upstream's capabilities as last seen (a login or the start-up probe). */
  capabilities: string[] | undefined;
  /** Aborted when the proxy stops. */
  signal: AbortSignal;
}

/** How a login went. `reason` is for the client: the upstream's reply, never a token. */
export type LoginResult =
  | { status: 'ok'; upstream: UpstreamSession }
  | { status: 'refused' }
  | { status: 'rejected'; reason: string }
  | { status: 'unavailable' };

/** A line fit for the client: no CR/LF, bounded. */
export function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/[\r\n]+/g, ' ').slice(0, 400);
}

/**
 * One local client connection: its socket (replaced by the TLS socket after STARTTLS), the
 * command-phase line reader with its limits, the login, the relay, and the log line at the end.
 */
export class LocalSession {
  readonly id = randomBytes(6).toString('hex');
  readonly remote: string;
  readonly runtime: ListenerRuntime;
  socket: Duplex;
  readonly reader: LineReader;
  secure: boolean;
  /** The local user name the client gave. */
  user: string | undefined;
  outcome: SessionOutcome = 'no-login';
  detail: string | undefined;
  /** What the client gets when the command phase times out or a line is too long. */
  byeOnTimeout = '';
  readonly #started = Date.now();
  #bytesFromClient = 0;
  #bytesToClient = 0;

  constructor(socket: Socket, runtime: ListenerRuntime, secure: boolean) {
    this.socket = socket;
    this.runtime = runtime;
    this.secure = secure;
    this.remote = socket.remoteAddress ?? 'unknown';
    this.reader = new LineReader(socket, runtime.limits.maxLineLength);
    this.#armTimeout(socket);
  }

  #armTimeout(socket: Duplex): void {
    const net = (socket as Socket).setTimeout === undefined ? undefined : (socket as Socket);
    net?.setTimeout(this.runtime.limits.commandTimeout * 1000, () => {
      this.outcome = 'timeout';
      this.end(this.byeOnTimeout);
    });
  }

  /** Whether plain passwords may be taken: over TLS, or on a loopback listener. */
  get loginAllowed(): boolean {
    return (
      this.secure ||
      isLoopbackAddress(this.runtime.config.host) ||
      this.runtime.config.host.toLowerCase() === 'localhost'
    );
  }

  /** Whether STARTTLS/STLS can be offered now. */
  get canStartTls(): boolean {
    return (
      !this.secure && this.runtime.config.tls.mode === 'starttls' && this.runtime.secureContext !== undefined
    );
  }

  /** Sends text as it is (the caller adds CRLF). */
  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Sends `text` (when any) and closes the connection. */
  end(text = ''): void {
    if (this.socket.destroyed) return;
    this.socket.end(text);
    setTimeout(() => this.socket.destroy(), 2_000).unref();
  }

  /**
   * The next command line, or `null` when the client is gone. An over-long line ends the
   * session with `byeOnTimeout`.
   */
  async readLine(): Promise<string | null> {
    try {
      return await this.reader.readLine();
    } catch (error) {
      if (error instanceof LineTooLongError) {
        this.outcome = 'line-too-long';
        this.end(this.byeOnTimeout);
        return null;
      }
      return null;
    }
  }

  /**
   * Starts TLS on the local connection after the proxy said yes to STARTTLS/STLS. A client that
   * sent anything after its STARTTLS command is disconnected: those bytes were not encrypted.
   *
   * @returns false when the session ended instead.
   */
  async startTls(): Promise<boolean> {
    const { socket, rest } = this.reader.detach();
    if (rest.length > 0 || this.runtime.secureContext === undefined) {
      this.outcome = 'error';
      this.detail = 'data after STARTTLS';
      socket.destroy();
      return false;
    }
    (socket as Socket).setTimeout(0);
    const secure = new TLSSocket(socket as Socket, {
      isServer: true,
      secureContext: this.runtime.secureContext,
    });
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('error', () => resolve(false));
    });
    if (!ok) {
      this.outcome = 'error';
      this.detail = 'local TLS handshake failed';
      secure.destroy();
      return false;
    }
    this.socket = secure;
    this.secure = true;
    this.reader.replaceSocket(secure);
    this.#armTimeout(secure);
    return true;
  }

  /**
   * Checks the local user and password (a refusal comes after the fixed delay, with no upstream
   * connection), then logs in upstream with the account's token: one forced refresh and one
   * retry when the server rejects it.
   */
  async login(
    name: string,
    password: string,
    upstreamLogin: UpstreamLogin,
    clientName?: string,
  ): Promise<LoginResult> {
    const { runtime } = this;
    // A name that is no user may be a password typed in the wrong field: it is not logged.
    this.user = runtime.guard.knows(name) ? name : '(unknown)';
    const user = await runtime.guard.check(this.remote, name, password, runtime.config.users, runtime.signal);
    if (user === undefined) {
      this.outcome = 'refused';
      return { status: 'refused' };
    }
    const timeoutMs = Math.max(runtime.limits.commandTimeout, 10) * 1000;
    try {
      const upstream = await withTokenRetry(runtime.tokenSource(user.account), {}, (token) =>
        upstreamLogin(runtime.upstream, { mailbox: user.mailbox, token }, { timeoutMs, clientName }),
      );
      runtime.capabilities = upstream.capabilities;
      return { status: 'ok', upstream };
    } catch (error) {
      const code = error instanceof AuthorizerError ? error.code : 'ERROR';
      const message = error instanceof Error ? error.message : String(error);
      this.detail = `${code}: ${message}`;
      // The refresh token was refused (at once, or when a rejected token was to be replaced): a
      // person must authorize the account again.
      if (isAuthorizationRequired(error) || isAuthorizationRequired((error as { cause?: unknown }).cause)) {
        this.outcome = 'authorization-required';
        return { status: 'rejected', reason: "The proxy's account must be authorized again." };
      }
      if (error instanceof MailAuthenticationError && !error.transient) {
        this.outcome = error.code === 'OAUTH_TOKEN_REJECTED' ? 'token-rejected' : 'upstream-auth-failed';
        const reply = oneLine(error.serverReply);
        return {
          status: 'rejected',
          reason: `The mail server refused the proxy's login${reply ? `: ${reply}` : '.'}`,
        };
      }
      if (error instanceof AuthorizerError && !error.transient) {
        this.outcome = 'upstream-auth-failed';
        return { status: 'rejected', reason: 'The proxy could not log in to the mail server.' };
      }
      this.outcome = 'upstream-unavailable';
      return { status: 'unavailable' };
    }
  }

  /**
   * Relays bytes between the client and the logged-in upstream until either closes; the
   * server's bytes pass through `toClient` when given.
   */
  async relay(upstream: UpstreamSession, toClient?: ServerBytesFilter): Promise<void> {
    const { socket, rest } = this.reader.detach();
    if (socket.destroyed || upstream.socket.destroyed) {
      // The client left (or the server closed) while the login went on: nothing to relay.
      socket.destroy();
      upstream.socket.destroy();
      this.outcome = 'error';
      this.detail = 'a side closed during the login';
      return;
    }
    (socket as Socket).setTimeout?.(0);
    this.outcome = 'relayed';
    const result = await relay(socket, rest, upstream, this.runtime.limits.idleTimeout * 1000, toClient);
    this.#bytesFromClient = result.bytesFromClient;
    this.#bytesToClient = result.bytesToClient;
    if (result.ended === 'idle') this.detail = 'idle timeout';
  }

  /** Writes the session's log line. */
  log(): void {
    const { runtime } = this;
    runtime.logger({
      event: 'session',
      session: this.id,
      listener: runtime.config.name,
      remote: this.remote,
      user: this.user,
      upstream: `${runtime.upstream.host}:${runtime.upstream.port}`,
      outcome: this.outcome,
      bytesFromClient: this.#bytesFromClient,
      bytesToClient: this.#bytesToClient,
      durationMs: Date.now() - this.#started,
      ...(this.detail !== undefined && { detail: this.detail }),
    });
  }
}
