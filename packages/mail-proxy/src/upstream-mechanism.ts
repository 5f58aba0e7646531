import type { SaslMechanism } from '@oauth-authorizer/mail-adapters';
import type { UpstreamTarget } from './upstream-connection.js';

/**
 * The SASL mechanism for an upstream login: the configured one if the server offers it, else
 * OAUTHBEARER when offered (the standard, RFC 7628), else XOAUTH2; `undefined` when none fits.
 *
 * @param offered The server's mechanisms, upper case.
 */
export function chooseMechanism(
  target: UpstreamTarget,
  offered: readonly string[],
): SaslMechanism | undefined {
  if (target.mechanism !== undefined)
    return offered.includes(target.mechanism) ? target.mechanism : undefined;
  if (offered.includes('OAUTHBEARER')) return 'OAUTHBEARER';
  if (offered.includes('XOAUTH2')) return 'XOAUTH2';
  return undefined;
}
