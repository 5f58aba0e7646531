/**
 * The proxy configuration (JSON): listeners, local users and limits, validated when it is loaded
 * with errors that name the field.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isLoopbackAddress, isLoopbackHost } from '@oauth-authorizer/core';
import { SASL_MECHANISMS, type SaslMechanism } from '@oauth-authorizer/mail-adapters';
import { MAIL_PROXY_INSECURE_LISTENER, ProxyConfigError } from './errors.js';
import { isPasswordHash } from './password-hash.js';

/** The protocol a listener speaks. */
export type ProxyProtocol = 'smtp' | 'imap' | 'pop3';

/** How the local side of a listener is secured. */
export interface LocalTls {
  /** `implicit`: TLS from the first byte; `starttls`: STARTTLS / STLS offered; `none`: loopback only. */
  mode: 'implicit' | 'starttls' | 'none';
  /** The certificate (PEM) file. Default: the proxy's own, made once (see `ensureLocalCertificate`) */
  certFile?: string;
  /** The private key (PEM) file, with `certFile`. */
  keyFile?: string;
}

/** The real mail server a listener relays to. */
export interface UpstreamServer {
  host: string;
  port: number;
  /** `implicit` or `starttls`, certificates verified; `none` only for loopback hosts (tests). */
  tls: 'implicit' | 'starttls' | 'none';
  /** A CA certificate (PEM) file to trust instead of the system's, for private CAs. */
  caFile?: string;
  /** The name the certificate must carry. Default: `host` */
  servername?: string;
  /** The SASL mechanism for the token. Default: OAUTHBEARER when the server offers it, else XOAUTH2 */
  mechanism?: SaslMechanism;
}

/** One listener: a local address, a protocol, and the upstream server it relays to. */
export interface ListenerConfig {
  /** A name for the logs. Default: `<protocol>:<port>` */
  name: string;
  protocol: ProxyProtocol;
  /** The local address. Default: `127.0.0.1` */
  host: string;
  /** The local port (0: any free port). */
  port: number;
  tls: LocalTls;
  upstream: UpstreamServer;
  /** The local users that may log in here. Default: every user */
  users: string[] | undefined;
}

/** A local user: the password a device knows, and the account whose tokens it uses. */
export interface ProxyUser {
  /** The account in the token store. */
  account: string;
  /** The mailbox to log in to upstream (the SASL user). Default: the account name */
  mailbox: string;
  /** The scrypt hash of the local password (see `hashPassword`). */
  passwordHash: string;
}

/** Limits of every listener. */
export interface ProxyLimits {
  /** Open connections per listener; more are refused with a temporary error. Default: 100 */
  maxConnections: number;
  /** Seconds without a byte in either direction after login before the session is closed. Default: 1800 (IMAP IDLE needs 29 min) */
  idleTimeout: number;
  /** Seconds the client has for each command before it has logged in. Default: 60 */
  commandTimeout: number;
  /** Longest command line (and IMAP literal) before login, in bytes. Default: 4096 */
  maxLineLength: number;
  /** Seconds before a wrong password or unknown user is answered. Default: 2 */
  authFailureDelay: number;
  /** Most seconds a failing address is slowed to (the delay doubles with each failure). Default: 30 */
  maxAuthFailureDelay: number;
  /** Seconds SIGINT/SIGTERM waits for open sessions before closing them. Default: 10 */
  drainTimeout: number;
}

/** A validated proxy configuration. */
export interface ProxyConfig {
  listeners: ListenerConfig[];
  users: Record<string, ProxyUser>;
  limits: ProxyLimits;
}

/** The defaults of {@link ProxyLimits}. */
export const DEFAULT_PROXY_LIMITS: Readonly<ProxyLimits> = {
  maxConnections: 100,
  idleTimeout: 1800,
  commandTimeout: 60,
  maxLineLength: 4096,
  authFailureDelay: 2,
  maxAuthFailureDelay: 30,
  drainTimeout: 10,
};

type Json = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProxyConfigError(field, `must be an object, got ${typeOf(value)}`);
  }
  return value as Json;
}

function onlyKeys(value: Json, field: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ProxyConfigError(
        field ? `${field}.${key}` : key,
        `is not a known field (known: ${known.join(', ')})`,
      );
    }
  }
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ProxyConfigError(field, `must be a non-empty string, got ${typeOf(value)}`);
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : string(value, field);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ProxyConfigError(
      field,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${typeOf(value)}`,
    );
  }
  return value as T;
}

function port(value: unknown, field: string, allowZero: boolean): number {
  const min = allowZero ? 0 : 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65535) {
    throw new ProxyConfigError(field, `must be an integer from ${min} to 65535, got ${typeOf(value)}`);
  }
  return value;
}

function positive(value: unknown, field: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ProxyConfigError(
      field,
      `must be a ${integer ? 'whole ' : ''}number of at least 0, got ${typeOf(value)}`,
    );
  }
  return value;
}

function filePath(value: unknown, field: string, baseDirectory: string): string | undefined {
  const path = optionalString(value, field);
  return path === undefined ? undefined : resolve(baseDirectory, path);
}

function parseUser(value: unknown, field: string): ProxyUser {
  const user = object(value, field);
  onlyKeys(user, field, ['account', 'mailbox', 'password']);
  const account = string(user.account, `${field}.account`);
  const mailbox = optionalString(user.mailbox, `${field}.mailbox`) ?? account;
  const passwordHash = string(user.password, `${field}.password`);
  if (!isPasswordHash(passwordHash)) {
    // Never echo the value: it may be a clear-text password someone typed in.
    throw new ProxyConfigError(
      `${field}.password`,
      'must be a scrypt hash (scrypt$N=…,r=…,p=…$<salt>$<hash>)',
      {
        hint: 'set it with `oauth-authorizer proxy passwd <user>`',
      },
    );
  }
  return { account, mailbox, passwordHash };
}

function parseLocalTls(value: unknown, field: string, baseDirectory: string): LocalTls {
  if (value === undefined) return { mode: 'none' };
  if (typeof value === 'string') {
    if (value !== 'none')
      throw new ProxyConfigError(
        field,
        `must be "none" or an object with "mode", "cert" and "key", got ${typeOf(value)}`,
      );
    return { mode: 'none' };
  }
  const tls = object(value, field);
  onlyKeys(tls, field, ['mode', 'cert', 'key']);
  const mode = oneOf(tls.mode, `${field}.mode`, ['implicit', 'starttls', 'none'] as const);
  if (mode === 'none') return { mode };
  const certFile = filePath(tls.cert, `${field}.cert`, baseDirectory);
  const keyFile = filePath(tls.key, `${field}.key`, baseDirectory);
  // Neither: the proxy's own certificate (see `certificateDirectory` of startMailProxy).
  if (certFile === undefined && keyFile === undefined) return { mode };
  if (certFile === undefined) throw new ProxyConfigError(`${field}.cert`, `is required with "${field}.key"`);
  if (keyFile === undefined) throw new ProxyConfigError(`${field}.key`, `is required with "${field}.cert"`);
  return { mode, certFile, keyFile };
}

function parseUpstream(value: unknown, field: string, baseDirectory: string): UpstreamServer {
  const upstream = object(value, field);
  onlyKeys(upstream, field, ['host', 'port', 'tls', 'ca', 'servername', 'mechanism']);
  const host = string(upstream.host, `${field}.host`);
  const tls = oneOf(upstream.tls, `${field}.tls`, ['implicit', 'starttls', 'none'] as const);
  if (tls === 'none' && !isLoopbackHost(host)) {
    throw new ProxyConfigError(
      `${field}.tls`,
      `"none" is allowed for loopback upstreams only, got host "${host}"`,
      {
        hint: 'use "implicit" or "starttls"; tokens must not cross the network in clear text',
      },
    );
  }
  const caFile = filePath(upstream.ca, `${field}.ca`, baseDirectory);
  const servername = optionalString(upstream.servername, `${field}.servername`);
  const mechanism =
    upstream.mechanism === undefined
      ? undefined
      : oneOf(upstream.mechanism, `${field}.mechanism`, SASL_MECHANISMS);
  return {
    host,
    port: port(upstream.port, `${field}.port`, false),
    tls,
    ...(caFile !== undefined && { caFile }),
    ...(servername !== undefined && { servername }),
    ...(mechanism !== undefined && { mechanism }),
  };
}

function parseListener(
  value: unknown,
  field: string,
  users: Record<string, ProxyUser>,
  baseDirectory: string,
): ListenerConfig {
  const listener = object(value, field);
  onlyKeys(listener, field, ['name', 'protocol', 'host', 'port', 'tls', 'upstream', 'users']);
  const protocol = oneOf(listener.protocol, `${field}.protocol`, ['smtp', 'imap', 'pop3'] as const);
  const host = optionalString(listener.host, `${field}.host`) ?? '127.0.0.1';
  const localPort = port(listener.port, `${field}.port`, true);
  const tls = parseLocalTls(listener.tls, `${field}.tls`, baseDirectory);
  if (tls.mode === 'none' && !isLoopbackAddress(host) && host.toLowerCase() !== 'localhost') {
    throw new ProxyConfigError(
      `${field}.tls`,
      `is required for the non-loopback address "${host}": passwords would cross the network in clear text`,
      {
        code: MAIL_PROXY_INSECURE_LISTENER,
        hint: 'listen on 127.0.0.1, or give "tls": { "mode": "implicit" | "starttls", "cert": …, "key": … }',
      },
    );
  }
  let allowed: string[] | undefined;
  if (listener.users !== undefined) {
    if (!Array.isArray(listener.users))
      throw new ProxyConfigError(
        `${field}.users`,
        `must be an array of user names, got ${typeOf(listener.users)}`,
      );
    allowed = listener.users.map((name, index) => {
      const userName = string(name, `${field}.users[${index}]`);
      if (!Object.hasOwn(users, userName))
        throw new ProxyConfigError(`${field}.users[${index}]`, `names no user in "users": "${userName}"`);
      return userName;
    });
  }
  return {
    name: optionalString(listener.name, `${field}.name`) ?? `${protocol}:${localPort}`,
    protocol,
    host,
    port: localPort,
    tls,
    upstream: parseUpstream(listener.upstream, `${field}.upstream`, baseDirectory),
    users: allowed,
  };
}

function parseLimits(value: unknown): ProxyLimits {
  if (value === undefined) return { ...DEFAULT_PROXY_LIMITS };
  const limits = object(value, 'limits');
  onlyKeys(limits, 'limits', Object.keys(DEFAULT_PROXY_LIMITS));
  const d = DEFAULT_PROXY_LIMITS;
  const parsed: ProxyLimits = {
    maxConnections: positive(limits.maxConnections, 'limits.maxConnections', d.maxConnections, true),
    idleTimeout: positive(limits.idleTimeout, 'limits.idleTimeout', d.idleTimeout, false),
    commandTimeout: positive(limits.commandTimeout, 'limits.commandTimeout', d.commandTimeout, false),
    maxLineLength: positive(limits.maxLineLength, 'limits.maxLineLength', d.maxLineLength, true),
    authFailureDelay: positive(limits.authFailureDelay, 'limits.authFailureDelay', d.authFailureDelay, false),
    maxAuthFailureDelay: positive(
      limits.maxAuthFailureDelay,
      'limits.maxAuthFailureDelay',
      d.maxAuthFailureDelay,
      false,
    ),
    drainTimeout: positive(limits.drainTimeout, 'limits.drainTimeout', d.drainTimeout, false),
  };
  if (parsed.maxLineLength < 512)
    throw new ProxyConfigError(
      'limits.maxLineLength',
      `must be at least 512 (RFC 5321 §4.5.3.1.4), got ${parsed.maxLineLength}`,
    );
  if (parsed.maxConnections < 1) throw new ProxyConfigError('limits.maxConnections', 'must be at least 1');
  return parsed;
}

/**
 * Validates a parsed proxy configuration. File names (`cert`, `key`, `ca`) are resolved against
 * `baseDirectory`.
 *
 * @param value The configuration, e.g. `JSON.parse` of the file.
 * @param baseDirectory Where relative file names are resolved. Default: the working directory
 * @throws {ProxyConfigError} `MAIL_PROXY_INVALID_CONFIG` naming the field that is wrong;
 *   `MAIL_PROXY_INSECURE_LISTENER` for a non-loopback listener without TLS.
 * @example
 * ```ts
 * const config = parseProxyConfig({
 *   users: { printer: { account: 'me@example.com', password: await hashPassword('secret') } },
 *   listeners: [{ protocol: 'smtp', port: 2525, upstream: { host: 'smtp.office365.com', port: 587, tls: 'starttls' } }],
 * });
 * ```
 */
export function parseProxyConfig(value: unknown, baseDirectory: string = process.cwd()): ProxyConfig {
  const root = object(value, '');
  onlyKeys(root, '', ['$schema', 'users', 'listeners', 'limits']);
  const usersJson = object(root.users ?? {}, 'users');
  const users: Record<string, ProxyUser> = {};
  for (const [name, user] of Object.entries(usersJson)) {
    if (/[\s\x00-\x1f\x7f]/.test(name) || name === '')
      throw new ProxyConfigError(
        `users.${name}`,
        'a user name must not be empty or contain spaces or control characters',
      );
    users[name] = parseUser(user, `users.${name}`);
  }
  if (!Array.isArray(root.listeners) || root.listeners.length === 0) {
    throw new ProxyConfigError('listeners', `must be a non-empty array, got ${typeOf(root.listeners)}`);
  }
  const listeners = root.listeners.map((listener, index) =>
    parseListener(listener, `listeners[${index}]`, users, baseDirectory),
  );
  const names = new Set<string>();
  for (const [index, listener] of listeners.entries()) {
    if (names.has(listener.name))
      throw new ProxyConfigError(`listeners[${index}].name`, `"${listener.name}" is used twice`);
    names.add(listener.name);
  }
  return { listeners, users, limits: parseLimits(root.limits) };
}

/**
 * Reads and validates a proxy configuration file; relative file names in it are resolved against
 * the file's directory.
 *
 * @throws {ProxyConfigError} `MAIL_PROXY_INVALID_CONFIG` when the file cannot be read, is not JSON, or a field is wrong.
 * @example
 * ```ts
 * const config = await loadProxyConfig('/etc/oauth-authorizer/proxy.json');
 * ```
 */
export async function loadProxyConfig(file: string): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ProxyConfigError('', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProxyConfigError('', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseProxyConfig(json, dirname(resolve(file)));
}
