import type { MailClientAccount } from './mail-client-account.js';
import { doubleQuoted } from './mail-client-account.js';

/**
 * An msmtp configuration for the account's SMTP server: `auth xoauth2` (or `oauthbearer`) with
 * the token command as `passwordeval`. msmtp wants the file to be 0600.
 *
 * @see https://marlam.de/msmtp/msmtp.html#Authentication
 * @example
 * ```ts
 * process.stdout.write(msmtpConfiguration(account));
 * ```
 */
export function msmtpConfiguration(account: MailClientAccount): string {
  const smtp = account.servers.smtp;
  if (!smtp) throw new TypeError('msmtpConfiguration: the account has no SMTP server');
  const lines = [
    `# msmtp: the account ${account.account}, written by "oauth-authorizer config msmtp".`,
    '# Save as ~/.msmtprc (or ~/.config/msmtp/config) with mode 0600.',
    `account ${account.name}`,
    `host ${smtp.host}`,
    `port ${smtp.port}`,
    `tls ${smtp.tls === 'none' ? 'off' : 'on'}`,
    ...(smtp.tls === 'none' ? [] : [`tls_starttls ${smtp.tls === 'starttls' ? 'on' : 'off'}`]),
    ...(account.caFile ? [`tls_trust_file ${doubleQuoted(account.caFile)}`] : []),
    `from ${account.address}`,
    `user ${account.address}`,
    `auth ${account.mechanism.toLowerCase()}`,
    `passwordeval ${doubleQuoted(account.tokenCommand)}`,
    '',
    `account default : ${account.name}`,
  ];
  return `${lines.join('\n')}\n`;
}
