/**
 * What the proxy logs: one line per listener start/stop and per session, with the session id,
 * the local user, the upstream, the outcome and the byte counts. Never a password, a token or
 * message content: no field below can hold one.
 *
 * @module
 */

/** How a session ended. */
export type SessionOutcome =
  | 'relayed'
  | 'refused'
  | 'token-rejected'
  | 'upstream-unavailable'
  | 'upstream-auth-failed'
  | 'authorization-required'
  | 'no-login'
  | 'too-many-connections'
  | 'line-too-long'
  | 'timeout'
  | 'error';

/** One log entry. */
export type ProxyLogEntry =
  | { event: 'listening'; listener: string; protocol: string; address: string; upstream: string }
  | { event: 'stopped'; listener: string; sessions: number }
  | {
      event: 'session';
      session: string;
      listener: string;
      remote: string;
      user: string | undefined;
      upstream: string;
      outcome: SessionOutcome;
      bytesFromClient: number;
      bytesToClient: number;
      durationMs: number;
      /** The reason, for failures: an error code and the upstream's reply (tokens redacted). */
      detail?: string;
    };

/** Receives the proxy's log entries. */
export type ProxyLogger = (entry: ProxyLogEntry) => void;

function quote(value: string | number): string {
  const text = String(value);
  return /^[\w.:@/[\]+-]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * A log line in `key=value` form, as journald and `grep` like it:
 * `mail-proxy event=session session=3f9a… user=printer outcome=relayed bytes_in=1234 …`.
 *
 * @example
 * ```ts
 * const logger: ProxyLogger = (entry) => process.stderr.write(`${formatLogEntry(entry)}\n`);
 * ```
 */
export function formatLogEntry(entry: ProxyLogEntry): string {
  const fields: Array<[string, string | number | undefined]> = Object.entries(entry).map(([key, value]) => [
    key
      .replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
      .replace('bytes_from_client', 'bytes_in')
      .replace('bytes_to_client', 'bytes_out'),
    value as string | number | undefined,
  ]);
  return `mail-proxy ${fields
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${quote(value as string | number)}`)
    .join(' ')}`;
}

/** The default logger: one line per entry on stderr. */
export const stderrLogger: ProxyLogger = (entry) => {
  process.stderr.write(`${formatLogEntry(entry)}\n`);
};
