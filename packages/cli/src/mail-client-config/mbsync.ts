import type { MailClientAccount } from './mail-client-account.js';
import { doubleQuoted } from './mail-client-account.js';

/** The isync releases whose configuration syntax differs: 1.5 renamed `SSLType` to `TLSType`. */
export type IsyncVersion = '1.4' | '1.5';

const TLS_TYPES = { implicit: 'IMAPS', starttls: 'STARTTLS', none: 'None' } as const;

/**
 * An mbsync (isync) configuration that syncs the account's IMAP mailboxes into a Maildir: the
 * token command as `PassCmd`, `AuthMechs XOAUTH2` (which needs a SASL plugin for it, e.g.
 * Debian's `libsasl2-modules-kdexoauth2`), and the TLS keyword of the isync version.
 *
 * @see https://isync.sourceforge.io/mbsync.html
 * @example
 * ```ts
 * process.stdout.write(mbsyncConfiguration(account, '1.4'));
 * ```
 */
export function mbsyncConfiguration(account: MailClientAccount, version: IsyncVersion): string {
  const imap = account.servers.imap;
  if (!imap) throw new TypeError('mbsyncConfiguration: the account has no IMAP server');
  const maildir = account.maildir.replace(/\/+$/, '');
  const { name } = account;
  const lines = [
    `# mbsync (isync ${version}): the account ${account.account}, written by "oauth-authorizer config mbsync".`,
    `# Save as ~/.mbsyncrc, create the Maildir (mkdir -p ${maildir}), then sync with: mbsync -a`,
    `IMAPAccount ${name}`,
    `Host ${imap.host}`,
    `Port ${imap.port}`,
    `User ${account.address}`,
    `PassCmd ${doubleQuoted(account.tokenCommand)}`,
    `AuthMechs ${account.mechanism}`,
    `${version === '1.4' ? 'SSLType' : 'TLSType'} ${TLS_TYPES[imap.tls]}`,
    ...(account.caFile ? [`CertificateFile ${doubleQuoted(account.caFile)}`] : []),
    '',
    `IMAPStore ${name}-remote`,
    `Account ${name}`,
    '',
    `MaildirStore ${name}-local`,
    `Path ${doubleQuoted(`${maildir}/`)}`,
    `Inbox ${doubleQuoted(`${maildir}/INBOX`)}`,
    'SubFolders Verbatim',
    '',
    `Channel ${name}`,
    `Far :${name}-remote:`,
    `Near :${name}-local:`,
    'Patterns *',
    'Create Near',
    'SyncState *',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The isync version from `mbsync --version` output (`isync 1.4.4`): 1.4 for anything before 1.5.
 *
 * @example
 * ```ts
 * isyncVersionOf('isync 1.5.0'); // '1.5'
 * ```
 */
export function isyncVersionOf(versionOutput: string): IsyncVersion | undefined {
  const match = /isync\s+(\d+)\.(\d+)/i.exec(versionOutput);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 5) ? '1.5' : '1.4';
}
