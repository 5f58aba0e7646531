import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, Server as TlsServer } from 'node:tls';
import { AuthorizerError } from '@oauth-authorizer/core';
import type { AccessTokenSource } from '@oauth-authorizer/mail-adapters';
import type { ListenerConfig, ProxyConfig, ProxyProtocol } from './config.js';
import { MAIL_PROXY_LISTEN_FAILED, ProxyConfigError } from './errors.js';
import { imapProtocol } from './imap/local-session.js';
import { ensureLocalCertificate } from './local-certificate.js';
import { type ProxyLogger, stderrLogger } from './log.js';
import { LoginGuard } from './login-guard.js';
import { pop3Protocol } from './pop3/local-session.js';
import { type ListenerRuntime, LocalSession } from './session.js';
import { smtpProtocol } from './smtp/local-session.js';
import type { UpstreamTarget } from './upstream-connection.js';

const PROTOCOLS: Partial<Record<ProxyProtocol, ProtocolHandler>> = {
  smtp: smtpProtocol,
  imap: imapProtocol,
  pop3: pop3Protocol,
};

/** How long the start-up waits for each upstream's capabilities. */
const PROBE_WAIT_MS = 10_000;

/** What a protocol contributes to the proxy: its command phase, and its refusals. */
export interface ProtocolHandler {
  /** Runs the local command phase until the session relays or ends. */
  run(session: LocalSession): Promise<void>;
  /** What a client over the connection limit gets before the connection closes. */
  tooManyConnections: string;
  /** Learns the upstream's capabilities without logging in (SMTP EHLO, POP3 CAPA), at start-up. */
  probe?(runtime: ListenerRuntime): Promise<void>;
}

/** Options of {@link startMailProxy}. */
export interface MailProxyOptions {
  /** The token source (e.g. core's `TokenManager`) of an account; called once per account. */
  tokenSource(account: string): AccessTokenSource;
  /** Receives the log entries. Default: one `key=value` line each on stderr */
  logger?: ProxyLogger;
  /**
   * Where the proxy keeps its own certificate for listeners with TLS but no `cert`/`key` (made
   * once with openssl; see `ensureLocalCertificate`). Without it such a listener fails the start.
   * The CLI gives `<home>/proxy-tls`.
   */
  certificateDirectory?: string;
  /** The protocol handlers. Default: SMTP, IMAP and POP3 */
  protocols?: Partial<Record<ProxyProtocol, ProtocolHandler>>;
}

/** A listener as it runs. */
export interface RunningListener {
  name: string;
  protocol: ProxyProtocol;
  host: string;
  /** The port it listens on (the real one when the configuration said 0). */
  port: number;
  /** Open sessions now. */
  readonly sessions: number;
}

/** A running proxy. */
export interface MailProxy {
  listeners: RunningListener[];
  /**
   * Stops accepting connections, waits for open sessions to end, up to `drainTimeout` seconds
   * (default: the configuration's `limits.drainTimeout`), then closes the rest.
   */
  close(drainTimeout?: number): Promise<void>;
}

async function readPem(file: string, field: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ProxyConfigError(field, `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function localContext(
  listener: ListenerConfig,
  field: string,
  ownCertificate: () => Promise<{ cert: string; key: string }>,
): Promise<{ context: SecureContext; cert: string; key: string } | undefined> {
  const { tls } = listener;
  if (tls.mode === 'none') return undefined;
  const { cert, key } =
    tls.certFile === undefined || tls.keyFile === undefined
      ? await ownCertificate()
      : {
          cert: await readPem(tls.certFile, `${field}.tls.cert`),
          key: await readPem(tls.keyFile, `${field}.tls.key`),
        };
  try {
    return { context: createSecureContext({ cert, key, minVersion: 'TLSv1.2' }), cert, key };
  } catch (error) {
    throw new ProxyConfigError(
      `${field}.tls`,
      `the certificate or key is not usable: ${(error as Error).message}`,
    );
  }
}

function listen(server: Server, listener: ListenerConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new AuthorizerError(
          MAIL_PROXY_LISTEN_FAILED,
          `listener "${listener.name}" cannot listen on ${listener.host}:${listener.port}: ${error.code ?? error.message}`,
          {
            cause: error,
            ...(error.code === 'EADDRINUSE' && {
              hint: 'another program uses the port; choose another "port"',
            }),
          },
        ),
      );
    });
    server.listen({ host: listener.host, port: listener.port }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : listener.port);
    });
  });
}

/**
 * Starts every listener of the configuration. Certificates and keys are read (or the proxy's own
 * made) now, so a bad file fails the start, naming the field.
 *
 * @example
 * ```ts
 * const proxy = await startMailProxy(await loadProxyConfig('proxy.json'), {
 *   tokenSource: (account) => new TokenManager({ account, store: new FileTokenStore(), provider }),
 * });
 * process.once('SIGTERM', () => proxy.close());
 * ```
 *
 * @throws {ProxyConfigError} `MAIL_PROXY_INVALID_CONFIG` for an unreadable certificate, key or CA file.
 * @throws {AuthorizerError} `MAIL_PROXY_LISTEN_FAILED` when a listener cannot bind its address.
 */
export async function startMailProxy(config: ProxyConfig, options: MailProxyOptions): Promise<MailProxy> {
  const logger = options.logger ?? stderrLogger;
  const guard = new LoginGuard(config.users, config.limits);
  const sources = new Map<string, AccessTokenSource>();
  const tokenSource = (account: string) => {
    let source = sources.get(account);
    if (source === undefined) {
      source = options.tokenSource(account);
      sources.set(account, source);
    }
    return source;
  };
  const stopping = new AbortController();
  let own: Promise<{ cert: string; key: string }> | undefined;
  const ownCertificate = (field: string) => () => {
    const directory = options.certificateDirectory;
    if (directory === undefined) {
      return Promise.reject(
        new ProxyConfigError(
          `${field}.tls.cert`,
          "is required (there is no directory for a certificate of the proxy's own)",
        ),
      );
    }
    own ??= ensureLocalCertificate(
      directory,
      config.listeners.map((listener) => listener.host),
    );
    return own;
  };
  const runtimes: Array<{
    runtime: ListenerRuntime;
    handler: ProtocolHandler;
    pem: { cert: string; key: string } | undefined;
  }> = [];
  for (const [index, listener] of config.listeners.entries()) {
    const field = `listeners[${index}]`;
    const handler = (options.protocols ?? PROTOCOLS)[listener.protocol];
    if (handler === undefined)
      throw new ProxyConfigError(`${field}.protocol`, `"${listener.protocol}" is not available`);
    const ca =
      listener.upstream.caFile === undefined
        ? undefined
        : await readPem(listener.upstream.caFile, `${field}.upstream.ca`);
    const upstream: UpstreamTarget = { ...listener.upstream, ...(ca !== undefined && { ca }) };
    const local = await localContext(listener, field, ownCertificate(field));
    runtimes.push({
      handler,
      pem: local,
      runtime: {
        config: listener,
        limits: config.limits,
        guard,
        logger,
        upstream,
        secureContext: local?.context,
        tokenSource,
        capabilities: undefined,
        signal: stopping.signal,
      },
    });
  }

  const servers: Server[] = [];
  const sessions = new Set<LocalSession>();
  const running: RunningListener[] = [];
  const probes: Promise<unknown>[] = [];
  try {
    for (const { runtime, handler, pem } of runtimes) {
      const { config: listener } = runtime;
      const open = new Set<LocalSession>();
      const accept = (socket: Socket, secure: boolean) => {
        socket.on('error', () => undefined);
        if (open.size >= config.limits.maxConnections) {
          socket.end(handler.tooManyConnections);
          setTimeout(() => socket.destroy(), 2_000).unref();
          logger({
            event: 'session',
            session: '-',
            listener: listener.name,
            remote: socket.remoteAddress ?? 'unknown',
            user: undefined,
            upstream: `${runtime.upstream.host}:${runtime.upstream.port}`,
            outcome: 'too-many-connections',
            bytesFromClient: 0,
            bytesToClient: 0,
            durationMs: 0,
          });
          return;
        }
        const session = new LocalSession(socket, runtime, secure);
        open.add(session);
        sessions.add(session);
        handler
          .run(session)
          .catch((error: unknown) => {
            session.outcome = 'error';
            session.detail = error instanceof Error ? error.message : String(error);
          })
          .finally(() => {
            session.socket.destroy();
            open.delete(session);
            sessions.delete(session);
            session.log();
          });
      };
      const server =
        listener.tls.mode === 'implicit'
          ? new TlsServer({ cert: pem?.cert, key: pem?.key, minVersion: 'TLSv1.2' }, (socket) =>
              accept(socket, true),
            )
          : createServer((socket) => accept(socket, false));
      // A client that fails the TLS handshake never becomes a session.
      server.on('tlsClientError', () => undefined);
      servers.push(server);
      const port = await listen(server, listener);
      running.push({
        name: listener.name,
        protocol: listener.protocol,
        host: listener.host,
        port,
        get sessions() {
          return open.size;
        },
      });
      logger({
        event: 'listening',
        listener: listener.name,
        protocol: listener.protocol,
        address: `${listener.host}:${port}`,
        upstream: `${runtime.upstream.host}:${runtime.upstream.port}`,
      });
      if (handler.probe !== undefined) probes.push(handler.probe(runtime).catch(() => undefined));
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  // What the proxy promises before a login comes from the upstream; a slow or absent one must
  // not hold the start-up for long (the probes run side by side, each with its own timeout).
  await Promise.race([
    Promise.all(probes),
    new Promise((resolve) => setTimeout(resolve, PROBE_WAIT_MS).unref()),
  ]);

  let closing: Promise<void> | undefined;
  return {
    listeners: running,
    close(drainTimeout = config.limits.drainTimeout) {
      closing ??= (async () => {
        await Promise.all(
          servers
            .map((server) => new Promise<void>((resolve) => server.close(() => resolve())))
            .concat(
              (async () => {
                const deadline = Date.now() + drainTimeout * 1000;
                while (sessions.size > 0 && Date.now() < deadline)
                  await new Promise((r) => setTimeout(r, 50));
                stopping.abort(new Error('the proxy is stopping'));
                for (const session of sessions) session.socket.destroy();
              })(),
            ),
        );
        for (const listener of running)
          logger({ event: 'stopped', listener: listener.name, sessions: listener.sessions });
      })();
      return closing;
    },
  };
}
