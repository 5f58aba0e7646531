import { isLoopbackHost } from '@oauth-authorizer/core';
import type { PresetParameter } from './preset.js';

/** Shows a value in a message: strings quoted and cut short, anything else by its type. */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * {@link describe} for a string that may be a URL with credentials in it: whatever stands between
 * `scheme://` and the last `@` (a user name and password, which may not parse) is left out, so a
 * message about a malformed URL never repeats a password.
 */
export function describeUrl(value: string): string {
  const start = value.indexOf('://');
  const at = value.lastIndexOf('@');
  return describe(start !== -1 && at > start ? `${value.slice(0, start + 3)}…${value.slice(at)}` : value);
}

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a URL is used for decides which schemes it may have. */
export type UrlUse = 'endpoint' | 'redirect' | 'documentation';

/**
 * Checks a URL and returns what is wrong with it, or `undefined`. Endpoints and redirect URLs
 * must be `https:`, or `http:` on a loopback host (RFC 8252 §7.3); documentation is `https:` only.
 */
export function urlProblem(value: string, use: UrlUse): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute URL, got ${describeUrl(value)}`;
  }
  if (url.username || url.password) return `must not carry a user name or password, got ${url.origin}`;
  // RFC 6749 §3.1 and §3.1.2: endpoint and redirection URIs have no fragment.
  if (use !== 'documentation' && url.hash)
    return `must not have a fragment ("#…"), got ${describeUrl(value)}`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && use !== 'documentation' && isLoopbackHost(url.hostname)) return undefined;
  return use === 'documentation'
    ? `must be an https: URL, got ${describeUrl(value)}`
    : `must be an https: URL (plain http: only on a loopback host), got ${describeUrl(value)}`;
}

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Whether `host` is a DNS name or an IP address a mail client can connect to. (Not `node:net`'s
 * `isIP`: its IPv6 expression costs tens of milliseconds to build on first use, at import time.)
 */
export function isHostname(host: string): boolean {
  if (host.includes(':')) return /^[0-9A-Fa-f:.]+$/.test(host) && host.split(':').length <= 8;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/** RFC 6749 §3.3: a scope token is printable ASCII without space, `"` or `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Joins names for a message: `"a", "b" and "c"`. */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

/** Checks a user's value for a parameter against its choices or pattern; the problem, or `undefined`. */
export function checkParameterValue(parameter: PresetParameter, value: string): string | undefined {
  if (parameter.choices && !Object.hasOwn(parameter.choices, value))
    return `must be one of ${listNames(Object.keys(parameter.choices))}, got ${describe(value)}`;
  if (parameter.pattern) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(parameter.pattern, 'u');
    } catch {
      // Reported where the pattern is defined; a value cannot be checked against it.
      return "cannot be checked: the parameter's pattern is not a valid regular expression";
    }
    if (!pattern.test(value))
      return `does not match the pattern ${parameter.pattern}, got ${describe(value)}`;
  }
  return undefined;
}
