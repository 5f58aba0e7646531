import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

/** What an introspection endpoint said about a token (RFC 7662); `authorizationServer.introspect` returns it. */
export interface TokenIntrospection {
  active: boolean;
  email?: unknown;
  scope?: unknown;
  [field: string]: unknown;
}

/** Options of {@link startSmtpServer}. */
export interface SmtpServerOptions {
  /**
   * Checks an XOAUTH2 access token, e.g. `authorizationServer.introspect`. Without it the server
   * takes mail without authentication: a relay sink, e.g. behind Dovecot's submission service.
   */
  introspect?: (token: string) => Promise<TokenIntrospection>;
  /** The scope a token must carry. Default: `mail` */
  scope?: string;
  /**
   * How a refused token is answered: with the SASL error challenge first (`334 <base64 JSON>`,
   * Gmail's way), or with `535` at once (Outlook's way, which gives a client no challenge to
   * answer). Default: true
   */
  challenge?: boolean;
}

/** One message the server accepted. */
export interface ReceivedMessage {
  /** The envelope sender. */
  from: string | undefined;
  /** The envelope recipients. */
  to: string[];
  /** The authenticated user, when the client authenticated. */
  user: string | undefined;
  /** The whole message as received (headers and body). */
  raw: string;
  at: number;
}

/** One `AUTH` attempt; the token itself is never recorded. */
export interface SmtpAuthAttempt {
  method: string;
  username: string | undefined;
  accepted: boolean;
  /** Why a token was refused: `inactive`, `wrong-user`, `missing-scope`, `introspection-failed`. */
  reason?: string;
  at: number;
}

/** A running SMTP server on loopback. */
export interface SmtpServer {
  host: '127.0.0.1';
  port: number;
  /** Every message accepted, in order. */
  messages: ReceivedMessage[];
  /** Every authentication attempt, in order. */
  authAttempts: SmtpAuthAttempt[];
  /** Resolves once at least `count` messages arrived; rejects after `timeout` ms (default 10 000). */
  waitForMessages(count: number, timeout?: number): Promise<void>;
  /** Stops the server, closing open connections. */
  close(): Promise<void>;
}

/**
 * Starts a real `smtp-server` on `127.0.0.1` with a free port. With `introspect`, it offers only
 * `AUTH XOAUTH2` and checks each token at the authorization server: it must be active, carry the
 * scope, and belong to the user named in the SASL string (`email` of the introspection). A refused
 * token gets the RFC 7628-style challenge (`334 <base64 JSON>`, then `535` after the client's empty
 * line), as Gmail and Outlook answer.
 *
 * @example
 * ```ts
 * const smtp = await startSmtpServer({ introspect: (token) => authorizationServer.introspect(token) });
 * // … send through 127.0.0.1:smtp.port …
 * await smtp.close();
 * ```
 */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpServer> {
  const { introspect } = options;
  const scope = options.scope ?? 'mail';
  const messages: ReceivedMessage[] = [];
  const authAttempts: SmtpAuthAttempt[] = [];
  const waiters = new Set<() => void>();

  const check = async (auth: SMTPServerAuthentication): Promise<string | undefined> => {
    if (!introspect || !auth.accessToken) return 'inactive';
    let details: TokenIntrospection;
    try {
      details = await introspect(auth.accessToken);
    } catch {
      return 'introspection-failed';
    }
    if (!details.active) return 'inactive';
    if (details.email !== auth.username) return 'wrong-user';
    const scopes = typeof details.scope === 'string' ? details.scope.split(' ') : [];
    if (!scopes.includes(scope)) return 'missing-scope';
    return undefined;
  };

  const server = new SMTPServer({
    authMethods: ['XOAUTH2'],
    authOptional: introspect === undefined,
    allowInsecureAuth: true,
    disabledCommands: introspect === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    logger: false,
    // Pooled clients keep connections open; a test's close() should not wait 30 s for them.
    closeTimeout: 200,
    banner: 'oauth-authorizer test SMTP server',
    onAuth(auth, _session, callback) {
      check(auth).then((reason) => {
        authAttempts.push({
          method: auth.method,
          username: auth.username,
          accepted: reason === undefined,
          ...(reason !== undefined && { reason }),
          at: Date.now(),
        });
        if (reason === undefined) {
          callback(null, { user: auth.username });
          return;
        }
        if (options.challenge === false) {
          callback(Object.assign(new Error('5.7.3 Authentication unsuccessful'), { responseCode: 535 }));
          return;
        }
        // smtp-server sends `data` as the base64 JSON challenge, as real providers do.
        callback(null, { data: { status: '401', schemes: 'bearer', scope } });
      }, callback);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          user: session.user,
          raw: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  // A client dropping its connection mid-session is an ordinary event for a test server.
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    messages,
    authAttempts,
    waitForMessages(count, timeout = 10_000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`smtp-server: ${messages.length} of ${count} messages arrived in ${timeout} ms`));
        }, timeout);
        waiters.add(wake);
      });
    },
    close() {
      for (const wake of waiters) wake();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
