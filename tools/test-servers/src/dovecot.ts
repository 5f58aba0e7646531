import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './certificate.js';
import { findBinary } from './find-binary.js';
import { freePorts, isPortConflict, PortConflictError, startOnFreePorts } from './free-port.js';

/** A SASL mechanism Dovecot can offer for OAuth2 tokens. */
export type DovecotMechanism = 'xoauth2' | 'oauthbearer';

/** Options of {@link startDovecot}. */
export interface DovecotOptions {
  /**
   * The RFC 7662 introspection endpoint Dovecot checks every token at, and the resource-server
   * client it authenticates as (`clients.resourceServer` of the test authorization server).
   */
  introspection: { url: string; clientId: string; clientSecret: string };
  /** The mechanisms to offer. Default: `['xoauth2', 'oauthbearer']` */
  mechanisms?: DovecotMechanism[];
  /**
   * The port of an SMTP server on 127.0.0.1 that the submission service relays to (e.g. a
   * `startSmtpServer()` sink). Without it, no submission service is started.
   */
  smtpRelayPort?: number;
  /**
   * Also serve TLS: implicit TLS on `imapsPort`/`pop3sPort`, and STARTTLS/STLS on the plain ports,
   * with a fresh self-signed certificate for `127.0.0.1` (returned as `certificate`, for `ca`).
   * Default: false
   */
  tls?: boolean;
  /** How long to wait for the listeners, in ms. Default: 15 000 */
  startTimeout?: number;
}

/** A running Dovecot on loopback. */
export interface Dovecot {
  host: '127.0.0.1';
  imapPort: number;
  pop3Port: number;
  /** The submission (SMTP) port; `undefined` without `smtpRelayPort`. */
  submissionPort: number | undefined;
  /** The implicit-TLS IMAP port; `undefined` without `tls`. */
  imapsPort: number | undefined;
  /** The implicit-TLS POP3 port; `undefined` without `tls`. */
  pop3sPort: number | undefined;
  /** The server's self-signed certificate (PEM), to trust as `ca`; `undefined` without `tls`. */
  certificate: string | undefined;
  /** The instance's directory (config, runtime sockets, mail). Removed by `close()`. */
  directory: string;
  /** What Dovecot has logged so far (tokens are not logged: `auth_debug` is off). */
  log(): string;
  /** Stops Dovecot (SIGTERM, waiting for it to exit) and removes its directory. */
  close(): Promise<void>;
}

/** The uid/gid Dovecot's mail processes run as (Debian's `nobody`). */
const MAIL_ID = 65534;
const LOG_LIMIT = 256 * 1024;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function renderConfig(settings: {
  directory: string;
  instanceName: string;
  mechanisms: DovecotMechanism[];
  imapPort: number;
  pop3Port: number;
  imapsPort: number | undefined;
  pop3sPort: number | undefined;
  submissionPort: number | undefined;
  smtpRelayPort: number | undefined;
}): string {
  const { directory, mechanisms } = settings;
  const protocols = ['imap', 'pop3', ...(settings.submissionPort === undefined ? [] : ['submission'])];
  const lines = [
    `base_dir = ${directory}/run`,
    `state_dir = ${directory}/state`,
    `instance_name = ${settings.instanceName}`,
    'log_path = /dev/stderr',
    'info_log_path = /dev/stderr',
    `protocols = ${protocols.join(' ')}`,
    'listen = 127.0.0.1',
    ...(settings.imapsPort === undefined
      ? ['ssl = no']
      : ['ssl = yes', `ssl_cert = <${directory}/cert.pem`, `ssl_key = <${directory}/key.pem`]),
    'disable_plaintext_auth = no',
    `auth_mechanisms = ${mechanisms.join(' ')}`,
    // A failed login is part of these tests; Dovecot's default 2 s delay would only slow them.
    'auth_failure_delay = 0',
    // Failed logins are logged with the user (never the token: auth_verbose_passwords stays off).
    'auth_verbose = yes',
    'passdb {',
    '  driver = oauth2',
    `  mechanisms = ${mechanisms.join(' ')}`,
    `  args = ${directory}/dovecot-oauth2.conf.ext`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = uid=${MAIL_ID} gid=${MAIL_ID} home=${directory}/mail/%d/%n`,
    '}',
    'mail_location = maildir:~/Maildir',
    'first_valid_uid = 1',
    'first_valid_gid = 1',
    'service imap-login {',
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${settings.imapPort}\n  }`,
    `  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${settings.imapsPort ?? 0}\n  }`,
    '}',
    'service pop3-login {',
    `  inet_listener pop3 {\n    address = 127.0.0.1\n    port = ${settings.pop3Port}\n  }`,
    `  inet_listener pop3s {\n    address = 127.0.0.1\n    port = ${settings.pop3sPort ?? 0}\n  }`,
    '}',
    // Without this, one failed login makes every later login from 127.0.0.1 wait 8-15 s.
    'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}',
    'service stats {',
    '  unix_listener stats-reader {\n    mode = 0600\n  }',
    '  unix_listener stats-writer {\n    mode = 0666\n  }',
    '}',
    'hostname = mail.example.test',
  ];
  if (settings.submissionPort !== undefined) {
    lines.push(
      'service submission-login {',
      `  inet_listener submission {\n    address = 127.0.0.1\n    port = ${settings.submissionPort}\n  }`,
      '}',
      'submission_relay_host = 127.0.0.1',
      `submission_relay_port = ${settings.smtpRelayPort}`,
      'submission_relay_trusted = yes',
      'submission_relay_ssl = no',
    );
  }
  return `${lines.join('\n')}\n`;
}

function renderOauth2Config(introspection: DovecotOptions['introspection']): string {
  const url = new URL(introspection.url);
  url.username = encodeURIComponent(introspection.clientId);
  url.password = encodeURIComponent(introspection.clientSecret);
  return [
    `introspection_url = ${url.href}`,
    'introspection_mode = post',
    'force_introspection = yes',
    'username_attribute = email',
    'active_attribute = active',
    'active_value = true',
    'scope = mail',
    'timeout_msecs = 5000',
    '',
  ].join('\n');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface ListenerPorts {
  imapPort: number;
  pop3Port: number;
  submissionPort: number | undefined;
  imapsPort: number | undefined;
  pop3sPort: number | undefined;
}

interface RunningInstance {
  child: ChildProcess;
  ports: ListenerPorts;
  log(): string;
}

/**
 * Chooses distinct free ports, writes the configuration for them into `directory` and runs
 * Dovecot until every listener accepts connections. Stops Dovecot again when it does not get there.
 *
 * @throws {PortConflictError} when Dovecot exited because one of the ports was taken.
 */
async function launch(
  binary: string,
  directory: string,
  mechanisms: DovecotMechanism[],
  options: DovecotOptions,
): Promise<RunningInstance> {
  const withSubmission = options.smtpRelayPort !== undefined;
  const tls = options.tls === true;
  const chosen = await freePorts(2 + (withSubmission ? 1 : 0) + (tls ? 2 : 0));
  const next = () => chosen.shift() as number;
  const ports: ListenerPorts = {
    imapPort: next(),
    pop3Port: next(),
    submissionPort: withSubmission ? next() : undefined,
    imapsPort: tls ? next() : undefined,
    pop3sPort: tls ? next() : undefined,
  };
  const configPath = join(directory, 'dovecot.conf');
  await writeFile(
    configPath,
    renderConfig({
      directory,
      instanceName: `oa-test-${process.pid}-${randomBytes(4).toString('hex')}`,
      mechanisms,
      ...ports,
      smtpRelayPort: options.smtpRelayPort,
    }),
  );

  const child = spawn(binary, ['-F', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let spawnFailure: Error | undefined;
  child.once('error', (error) => {
    spawnFailure = error;
  });

  const listening = Object.values(ports).filter((port): port is number => port !== undefined);
  const deadline = Date.now() + (options.startTimeout ?? 15_000);
  try {
    for (;;) {
      if (spawnFailure) throw new Error(`startDovecot: could not run ${binary}: ${spawnFailure.message}`);
      if (exited) {
        const message = `startDovecot: dovecot exited during start-up:\n${log}`;
        throw isPortConflict(log) ? new PortConflictError(message) : new Error(message);
      }
      const ready = await Promise.all(listening.map(canConnect));
      if (ready.every(Boolean)) break;
      if (Date.now() > deadline)
        throw new Error(`startDovecot: ports ${listening.join(', ')} not ready:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { child, ports, log: () => log };
}

/**
 * Starts a real Dovecot (IMAP, POP3 and, with `smtpRelayPort`, submission) on `127.0.0.1` with
 * free ports, checking OAuth2 tokens (XOAUTH2 and/or OAUTHBEARER) by introspection at the test
 * authorization server; the mailbox owner is the token's `email`. Each instance has its own
 * directory, `base_dir` and `instance_name`, so several run side by side. Must run as root (Dovecot
 * drops to `nobody` for mail); throws when Dovecot is not installed.
 *
 * @example
 * ```ts
 * const rs = clients.resourceServer;
 * const dovecot = await startDovecot({
 *   introspection: { url: authorizationServer.endpoints.introspection, clientId: rs.clientId, clientSecret: rs.clientSecret },
 * });
 * // … IMAP on dovecot.imapPort, POP3 on dovecot.pop3Port …
 * await dovecot.close();
 * ```
 */
export async function startDovecot(options: DovecotOptions): Promise<Dovecot> {
  // A missing Dovecot must never look like a passing test: fail loudly, saying how to install it.
  const binary = findBinary(
    ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'],
    'startDovecot: the `dovecot` binary was not found. Install it with ' +
      '`apt-get install -y dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond`.',
  );
  const mechanisms = options.mechanisms ?? ['xoauth2', 'oauthbearer'];
  if (mechanisms.length === 0) throw new TypeError('startDovecot: "mechanisms" must not be empty');
  const directory = await mkdtemp(join(tmpdir(), 'oa-dovecot-'));
  // The mail processes run as nobody and must reach <directory>/mail.
  await chmod(directory, 0o755);
  await mkdir(join(directory, 'mail'));
  await chown(join(directory, 'mail'), MAIL_ID, MAIL_ID);
  await mkdir(join(directory, 'state'));

  let certificate: string | undefined;
  if (options.tls) {
    createSelfSignedCertificate(directory);
    certificate = await readFile(join(directory, 'cert.pem'), 'utf8');
  }
  await writeFile(join(directory, 'dovecot-oauth2.conf.ext'), renderOauth2Config(options.introspection), {
    mode: 0o600,
  });

  let instance: RunningInstance;
  try {
    instance = await startOnFreePorts(() => launch(binary, directory, mechanisms, options));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const { child, ports } = instance;

  let closing: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    ...ports,
    certificate,
    directory,
    log: instance.log,
    close() {
      closing ??= (async () => {
        await stop(child);
        await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
