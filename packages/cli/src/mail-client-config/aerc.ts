import type { MailEndpoint } from '../mail-server-spec.js';
import type { MailClientAccount } from './mail-client-account.js';

function url(scheme: 'imap' | 'smtp', mechanism: string, user: string, server: MailEndpoint): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  const security = server.tls === 'implicit' ? 's' : server.tls === 'none' ? '+insecure' : '';
  return `${scheme}${security}+${mechanism}://${encodeURIComponent(user)}@${host}:${server.port}`;
}

/**
 * An aerc `accounts.conf` section for the account: `imaps+xoauth2://` (or `+oauthbearer`) as
 * the source and the matching `smtps+…://` as outgoing, with the token command as their
 * `*-cred-cmd` (aerc runs it with `sh -c`). Without token_endpoint parameters aerc takes the
 * command's output as the access token itself. aerc uses the system's CA certificates
 * (`SSL_CERT_FILE` overrides them).
 *
 * @see https://man.archlinux.org/man/aerc-imap.5.en
 * @see https://man.archlinux.org/man/aerc-smtp.5.en
 * @example
 * ```ts
 * process.stdout.write(aercConfiguration(account));
 * ```
 */
export function aercConfiguration(account: MailClientAccount): string {
  const { imap, smtp } = account.servers;
  if (!imap) throw new TypeError('aercConfiguration: the account has no IMAP server');
  const mechanism = account.mechanism.toLowerCase();
  const lines = [
    `# aerc: the account ${account.account}, written by "oauth-authorizer config aerc".`,
    '# Add to ~/.config/aerc/accounts.conf (mode 0600).',
    `[${account.name}]`,
    `source = ${url('imap', mechanism, account.address, imap)}`,
    `source-cred-cmd = ${account.tokenCommand}`,
    ...(smtp
      ? [
          `outgoing = ${url('smtp', mechanism, account.address, smtp)}`,
          `outgoing-cred-cmd = ${account.tokenCommand}`,
        ]
      : []),
    'default = INBOX',
    `from = ${account.address}`,
  ];
  if (account.caFile)
    lines.splice(2, 0, `# aerc trusts the system's CAs: run it as SSL_CERT_FILE=${account.caFile} aerc`);
  return `${lines.join('\n')}\n`;
}
