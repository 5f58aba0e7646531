import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';
import { AuthorizerError, OAUTH_INSECURE_ENDPOINT } from './errors.js';

/**
 * What "loopback" means, once for every package: the name `localhost` and the loopback IP
 * literals, and nothing else. `*.localhost` names are not loopback by their name (RFC 6761 §6.3
 * only asks resolvers to treat them so; the system resolver may not), so plain `http:` to them is
 * refused like to any other host.
 *
 * @module
 */

const IPV4_MAPPED = /^::ffff:(?:(\d{1,3}(?:\.\d{1,3}){3})|([0-9a-f]{1,4}):[0-9a-f]{1,4})$/;

/**
 * Whether `address` is an IP address of the loopback interface: `127.0.0.0/8`, `::1`, or an
 * IPv4-mapped `::ffff:127.x.y.z`. Brackets around an IPv6 literal are allowed.
 *
 * @example
 * ```ts
 * isLoopbackAddress('127.0.0.53'); // true
 * isLoopbackAddress('[::1]'); // true
 * isLoopbackAddress('10.0.0.1'); // false
 * ```
 */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  // The WHATWG URL parser gives every IPv6 literal in its shortest form: `::1`, `::ffff:7f00:1`.
  const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  if (canonical === '::1') return true;
  const mapped = IPV4_MAPPED.exec(canonical);
  if (mapped === null) return false;
  if (mapped[1] !== undefined) return mapped[1].startsWith('127.');
  return Number.parseInt(mapped[2] as string, 16) >> 8 === 127;
}

/**
 * Whether `hostname` is a loopback host, where plain `http:` is allowed because nothing leaves the
 * machine: exactly `localhost` (any case), or a loopback IP literal (see {@link isLoopbackAddress}).
 * Not `*.localhost`. A connection to `localhost` itself is pinned to loopback answers of the
 * resolver (see {@link loopbackOnlyLookup}).
 *
 * @example
 * ```ts
 * isLoopbackHost('localhost'); // true
 * isLoopbackHost('auth.localhost'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname.toLowerCase() === 'localhost' || isLoopbackAddress(hostname);
}

/** The system resolver's signature, as `net.connect`'s `lookup` option is called with it. */
export type LookupFunction = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type ConnectCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net.connect` (undici's `connect.lookup`) that resolves with `resolve` (default:
 * the system resolver) and refuses any answer that is not a loopback address. A `localhost` that
 * a hosts file or resolver maps elsewhere must not receive the client secret over plain `http:`.
 *
 * @param resolve Default: `dns.lookup`
 * @returns a function that calls back with an {@link AuthorizerError} `OAUTH_INSECURE_ENDPOINT`
 *   when any address is not loopback.
 * @example
 * ```ts
 * new Agent({ connect: { lookup: loopbackOnlyLookup() } });
 * ```
 */
export function loopbackOnlyLookup(resolve?: LookupFunction) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: ConnectCallback,
  ): void => {
    const done = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const stray = addresses.find((answer) => !isLoopbackAddress(answer.address));
      if (stray !== undefined || addresses.length === 0) {
        const refused = new AuthorizerError(
          OAUTH_INSECURE_ENDPOINT,
          `"${hostname}" resolved to ${stray === undefined ? 'no address' : `${stray.address}, which is not a loopback address`}; plain http: is allowed to loopback only`,
          { hint: 'fix the hosts file or resolver, or use http://127.0.0.1 or https://' },
        );
        return callback(refused as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    };
    if (resolve !== undefined) resolve(hostname, { ...options, all: true }, done);
    else
      import('node:dns').then(
        (dns) => dns.lookup(hostname, { ...options, all: true }, done),
        (error: NodeJS.ErrnoException) => callback(error, []),
      );
  };
}
