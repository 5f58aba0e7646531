import { isLoopbackHost } from '@oauth-authorizer/core';
import type { AccountSettings } from './account-settings.js';
import { usageError } from './errors.js';

/** How a mail connection is secured (the presets' and mail adapters' `tls`). */
export type MailTlsMode = 'implicit' | 'starttls' | 'none';

/** A mail server an account's mail clients connect to. */
export interface MailEndpoint {
  host: string;
  port: number;
  tls: MailTlsMode;
}

/** The mail protocols `config` and `check` know. */
export type MailProtocolName = 'imap' | 'smtp' | 'pop3';

const TLS_MODES: readonly MailTlsMode[] = ['implicit', 'starttls', 'none'];
const IMPLICIT_PORTS = new Set([465, 993, 995]);

/**
 * Reads a `--tls` value.
 *
 * @throws {AuthorizerError} `CLI_USAGE` for anything but implicit, starttls or none.
 *
 * @example
 * ```ts
 * parseTlsMode('check', '--tls', 'starttls'); // 'starttls'
 * ```
 */
export function parseTlsMode(command: string, flag: string, value: string): MailTlsMode {
  const mode = value.toLowerCase() as MailTlsMode;
  if (!TLS_MODES.includes(mode))
    throw usageError(`${command}: ${flag} must be implicit, starttls or none, got "${value}"`, command);
  return mode;
}

function parsePort(command: string, flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port < 1 || port > 65535)
    throw usageError(`${command}: ${flag} must be a port from 1 to 65535, got "${value}"`, command);
  return port;
}

/**
 * Reads a server flag `host:port[:tls]` (`imap.example.com:993`, `[::1]:143:starttls`). Without
 * a TLS mode, 465, 993 and 995 mean implicit TLS and other ports STARTTLS; never none.
 *
 * @throws {AuthorizerError} `CLI_USAGE` naming the flag and what it got.
 *
 * @example
 * ```ts
 * parseMailEndpoint('check', '--smtp', 'smtp.example.com:587'); // { host, port: 587, tls: 'starttls' }
 * ```
 */
export function parseMailEndpoint(command: string, flag: string, value: string): MailEndpoint {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)(?::([a-z]+))?$/i.exec(value.trim());
  if (!match)
    throw usageError(`${command}: ${flag} takes host:port or host:port:tls, got "${value}"`, command);
  const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1');
  const port = parsePort(command, flag, match[2] as string);
  const tls = match[3]
    ? parseTlsMode(command, flag, match[3])
    : IMPLICIT_PORTS.has(port)
      ? 'implicit'
      : 'starttls';
  return { host, port, tls };
}

/** The server flags of `config` and `check`, as `parseArgs` reads them. */
export interface MailServerFlags {
  imap?: string | undefined;
  smtp?: string | undefined;
  pop3?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  tls?: string | undefined;
}

/**
 * The account's mail servers: those its preset named, replaced by `--imap`/`--smtp`/`--pop3`,
 * then `--host`/`--port`/`--tls` applied to the `primary` protocol (the one the mail client
 * mainly talks), which they may create for a provider without a preset.
 *
 * @throws {AuthorizerError} `CLI_USAGE` for a malformed flag, `--port`/`--tls` without a host, or
 *   TLS `none` to a host that is not loopback.
 *
 * @example
 * ```ts
 * const servers = mailServersOf('config', settings, values, 'smtp');
 * ```
 */
export function mailServersOf(
  command: string,
  settings: Pick<AccountSettings, 'mail'>,
  flags: MailServerFlags,
  primary: MailProtocolName | undefined,
): Partial<Record<MailProtocolName, MailEndpoint>> {
  const servers: Partial<Record<MailProtocolName, MailEndpoint>> = {};
  for (const protocol of ['imap', 'smtp', 'pop3'] as const) {
    const stored = settings.mail?.[protocol];
    if (stored) servers[protocol] = { host: stored.host, port: stored.port, tls: stored.tls as MailTlsMode };
    const flag = flags[protocol];
    if (flag !== undefined) servers[protocol] = parseMailEndpoint(command, `--${protocol}`, flag);
  }
  if (primary && (flags.host !== undefined || flags.port !== undefined || flags.tls !== undefined)) {
    const base = servers[primary];
    const host = flags.host ?? base?.host;
    if (host === undefined)
      throw usageError(
        `${command}: the account's preset names no ${primary.toUpperCase()} server; give --host`,
        command,
      );
    const port =
      flags.port !== undefined
        ? parsePort(command, '--port', flags.port)
        : (base?.port ??
          DEFAULT_PORTS[primary][
            flags.tls === undefined ? 'implicit' : parseTlsMode(command, '--tls', flags.tls)
          ]);
    const tls =
      flags.tls !== undefined
        ? parseTlsMode(command, '--tls', flags.tls)
        : flags.port !== undefined
          ? IMPLICIT_PORTS.has(port)
            ? 'implicit'
            : 'starttls'
          : (base?.tls ?? 'implicit');
    servers[primary] = { host, port, tls };
  }
  for (const [protocol, server] of Object.entries(servers))
    if (server.tls === 'none' && !isLoopbackHost(server.host))
      throw usageError(
        `${command}: ${protocol.toUpperCase()} without TLS is allowed to loopback hosts only (the token would cross the network in clear text), got "${server.host}"`,
        command,
      );
  return servers;
}

/** The well-known ports (RFC 8314 for implicit TLS). */
const DEFAULT_PORTS: Record<MailProtocolName, Record<MailTlsMode, number>> = {
  imap: { implicit: 993, starttls: 143, none: 143 },
  smtp: { implicit: 465, starttls: 587, none: 587 },
  pop3: { implicit: 995, starttls: 110, none: 110 },
};
