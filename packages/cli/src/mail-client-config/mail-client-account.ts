import { realpathSync } from 'node:fs';
import { shellQuote } from '../errors.js';
import type { MailEndpoint, MailProtocolName } from '../mail-server-spec.js';

/** Everything a mail client's configuration is made from. */
export interface MailClientAccount {
  /** The CLI's account name (what `token` takes). */
  account: string;
  /** A name for the account inside the client's configuration: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** The mailbox address: the user for SASL and the `From:` address. */
  address: string;
  /** The SASL mechanism the servers take. */
  mechanism: 'XOAUTH2' | 'OAUTHBEARER';
  servers: Partial<Record<MailProtocolName, MailEndpoint>>;
  /** The shell command line that prints a valid access token. */
  tokenCommand: string;
  /** A CA certificate file to trust instead of the system's (absolute path). */
  caFile: string | undefined;
  /** Where mbsync (and other syncing clients) keep the mail. */
  maildir: string;
}

/**
 * The command a mail client runs for a token: this Node.js and this CLI's script, both by their
 * absolute paths, so it works from cron, systemd and desktop sessions whose `PATH` differs from
 * the shell's (an nvm-installed Node.js is often only on the shell's).
 *
 * @param script Default: the script this process runs (`process.argv[1]`)
 *
 * @example
 * ```ts
 * tokenCommandFor('me@gmail.com'); // '/usr/bin/node /usr/lib/node_modules/@oauth-authorizer/cli/dist/bin.js token me@gmail.com'
 * ```
 */
export function tokenCommandFor(account: string, script: string | undefined = process.argv[1]): string {
  let path = script ?? 'oauth-authorizer';
  try {
    path = realpathSync(path);
  } catch {
    // Not a file (an embedding program): keep what we were given.
  }
  return [process.execPath, path, 'token', account].map(shellQuote).join(' ');
}

/**
 * A name for the account in a client's configuration (mbsync store names, msmtp account names,
 * aerc sections): the address or account with anything unusual made `-`.
 *
 * @example
 * ```ts
 * configurationName('me@gmail.com'); // 'me@gmail.com'
 * ```
 */
export function configurationName(account: string): string {
  return account.replace(/[^A-Za-z0-9@._-]/g, '-').slice(0, 64) || 'account';
}

/**
 * `value` as a double-quoted string with `\` and `"` escaped, the quoting msmtp and isync read.
 *
 * @example
 * ```ts
 * doubleQuoted('say "hi"'); // '"say \\"hi\\""'
 * ```
 */
export function doubleQuoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
