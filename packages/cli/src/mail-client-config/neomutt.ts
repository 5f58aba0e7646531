import type { MailEndpoint } from '../mail-server-spec.js';
import type { MailClientAccount } from './mail-client-account.js';

/** A neomutt string: double quotes, with what neomutt would expand there (`$`, backquotes) escaped. */
function neomuttString(value: string): string {
  return `"${value.replace(/[\\"$`]/g, '\\$&')}"`;
}

function url(scheme: 'imap' | 'smtp', user: string, server: MailEndpoint): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${scheme}${server.tls === 'implicit' ? 's' : ''}://${encodeURIComponent(user)}@${host}:${server.port}/`;
}

/**
 * A neomutt configuration for the account: IMAP as the folder and SMTP for sending, both with
 * neomutt's own XOAUTH2/OAUTHBEARER and the token command as `*_oauth_refresh_command`.
 *
 * @see https://neomutt.org/guide/optionalfeatures#oauth
 * @example
 * ```ts
 * process.stdout.write(neomuttConfiguration(account));
 * ```
 */
export function neomuttConfiguration(account: MailClientAccount): string {
  const { imap, smtp } = account.servers;
  if (!imap && !smtp) throw new TypeError('neomuttConfiguration: the account has no IMAP or SMTP server');
  const mechanism = account.mechanism.toLowerCase();
  const command = neomuttString(account.tokenCommand);
  const servers = [imap, smtp].filter((server): server is MailEndpoint => server !== undefined);
  const plain = servers.some((server) => server.tls === 'none');
  const lines = [
    `# neomutt: the account ${account.account}, written by "oauth-authorizer config neomutt".`,
    '# Save as ~/.config/neomutt/neomuttrc (or source it from there).',
    `set from = ${neomuttString(account.address)}`,
    'set use_from = yes',
  ];
  if (imap)
    lines.push(
      `set imap_user = ${neomuttString(account.address)}`,
      `set folder = ${neomuttString(url('imap', account.address, imap))}`,
      'set spoolfile = "+INBOX"',
      `set imap_authenticators = ${neomuttString(mechanism)}`,
      `set imap_oauth_refresh_command = ${command}`,
    );
  if (smtp)
    lines.push(
      `set smtp_url = ${neomuttString(url('smtp', account.address, smtp))}`,
      `set smtp_authenticators = ${neomuttString(mechanism)}`,
      `set smtp_oauth_refresh_command = ${command}`,
    );
  // neomutt has one TLS policy for every connection: plain URLs upgrade with STARTTLS unless a
  // server takes no TLS at all (loopback only), and then none of them is forced.
  lines.push(`set ssl_starttls = ${plain ? 'no' : 'yes'}`, `set ssl_force_tls = ${plain ? 'no' : 'yes'}`);
  if (account.caFile) lines.push(`set ssl_ca_certificates_file = ${neomuttString(account.caFile)}`);
  return `${lines.join('\n')}\n`;
}
