/**
 * Shared set-up of the proxy tests: a real authorization server, a real Dovecot (IMAP, POP3,
 * submission relaying to an smtp-server sink) that checks every token by introspection and serves
 * TLS from a test certificate, counters in front of Dovecot's ports, and the proxy itself.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryTokenStore, TokenManager } from '@oauth-authorizer/core';
import type { AccessTokenSource } from '@oauth-authorizer/mail-adapters';
import {
  formatLogEntry,
  hashPassword,
  type MailProxy,
  type ProxyLogEntry,
  parseProxyConfig,
  startMailProxy,
} from '@oauth-authorizer/mail-proxy';
import {
  type AuthorizationServer,
  authorizeTestAccount,
  type ConnectionCounter,
  clients,
  type Dovecot,
  type SmtpServer,
  startAuthorizationServer,
  startConnectionCounter,
  startDovecot,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';

/** The local password of the test user `printer`. */
export const PASSWORD = 'printer pass:w0rd%1';
/** The fixed delay of a refused login in the tests, in seconds. */
export const FAILURE_DELAY = 0.4;

/** The servers a proxy test runs against. */
export interface MailWorld {
  server: AuthorizationServer;
  sink: SmtpServer;
  dovecot: Dovecot;
  /** Counters in front of Dovecot's submission, IMAP and POP3 ports (plain ports, STARTTLS). */
  submission: ConnectionCounter;
  imap: ConnectionCounter;
  pop3: ConnectionCounter;
  /** The file with Dovecot's certificate, for the upstream `ca`. */
  caFile: string;
  directory: string;
  close(): Promise<void>;
}

export async function startMailWorld(options: { accessTokenTtl?: number } = {}): Promise<MailWorld> {
  const server = await startAuthorizationServer({ accessTokenTtl: options.accessTokenTtl ?? 3600 });
  const sink = await startSmtpServer();
  const rs = clients.resourceServer;
  const dovecot = await startDovecot({
    introspection: {
      url: server.endpoints.introspection,
      clientId: rs.clientId,
      clientSecret: rs.clientSecret,
    },
    smtpRelayPort: sink.port,
    tls: true,
  });
  const submission = await startConnectionCounter(dovecot.submissionPort as number);
  const imap = await startConnectionCounter(dovecot.imapPort);
  const pop3 = await startConnectionCounter(dovecot.pop3Port);
  const directory = await mkdtemp(join(tmpdir(), 'mail-proxy-test-'));
  const caFile = join(directory, 'dovecot-ca.pem');
  await writeFile(caFile, dovecot.certificate as string);
  return {
    server,
    sink,
    dovecot,
    submission,
    imap,
    pop3,
    caFile,
    directory,
    async close() {
      await Promise.all([submission.close(), imap.close(), pop3.close()]);
      await dovecot.close();
      await sink.close();
      await server.close();
    },
  };
}

/** A token manager over freshly authorized tokens of `user` at the test server. */
export async function authorizedManager(server: AuthorizationServer, user: string): Promise<TokenManager> {
  const { provider, tokens } = await authorizeTestAccount(server, user);
  const store = new MemoryTokenStore();
  await store.set({ account: user, tokens });
  return new TokenManager({ account: user, store, provider, minValidity: 1.25, retry: { retries: 0 } });
}

/** A running proxy and what it logged. */
export interface TestProxy {
  proxy: MailProxy;
  port(name: string): number;
  logs: ProxyLogEntry[];
  /** The log as the CLI would print it. */
  logText(): string;
  close(): Promise<void>;
}

/** Starts the proxy with the user `printer` (password {@link PASSWORD}) for `account`. */
export async function startTestProxy(
  listeners: unknown[],
  managers: Record<string, AccessTokenSource>,
  users: Record<string, { account: string }>,
  limits: Record<string, number> = {},
): Promise<TestProxy> {
  const hash = await hashPassword(PASSWORD, { N: 1024 });
  const config = parseProxyConfig({
    users: Object.fromEntries(
      Object.entries(users).map(([name, user]) => [name, { ...user, password: hash }]),
    ),
    listeners,
    limits: { authFailureDelay: FAILURE_DELAY, maxAuthFailureDelay: 1, drainTimeout: 1, ...limits },
  });
  const logs: ProxyLogEntry[] = [];
  const proxy = await startMailProxy(config, {
    tokenSource: (account) => {
      const manager = managers[account];
      if (manager === undefined) throw new Error(`no manager for ${account}`);
      return manager;
    },
    logger: (entry) => logs.push(entry),
  });
  return {
    proxy,
    logs,
    port: (name) => {
      const listener = proxy.listeners.find((candidate) => candidate.name === name);
      if (listener === undefined) throw new Error(`no listener ${name}`);
      return listener.port;
    },
    logText: () => logs.map(formatLogEntry).join('\n'),
    close: () => proxy.close(1),
  };
}

/** Waits until the proxy has logged `count` sessions (a session is logged when it ends). */
export async function waitForSessions(
  proxy: TestProxy,
  count: number,
  timeout = 10_000,
): Promise<ProxyLogEntry[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const sessions = proxy.logs.filter((entry) => entry.event === 'session');
    if (sessions.length >= count) return sessions;
    if (Date.now() > deadline)
      throw new Error(`only ${sessions.length} of ${count} sessions logged:\n${proxy.logText()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The result of running a real client program. */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs a client program to its end, with `input` on stdin. */
export function runClient(
  command: string,
  args: string[],
  options: { input?: string; timeout?: number } = {},
): Promise<ClientRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeout ?? 30_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
    // A command may exit before it reads its input (mbsync refusing its configuration): the exit
    // status is what counts, not a write to a closed pipe.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a Python 3 program (the standard library's mail clients) with `args` as `sys.argv[1:]`. */
export function runPython(program: string, args: Array<string | number>): Promise<ClientRun> {
  return runClient('python3', ['-c', program, ...args.map(String)]);
}

/** A loopback port where nothing listens (it was free a moment ago): an upstream that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Makes the server forget an access token that still looks valid to the client (a server-side
 * invalidation): the next login with it is rejected by Dovecot's introspection.
 */
export async function invalidateAccessToken(server: AuthorizationServer, token: string): Promise<void> {
  const stored = await server.provider.AccessToken.find(token);
  if (!stored) throw new Error('the access token is unknown to the server');
  await stored.destroy();
}
