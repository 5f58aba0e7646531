/**
 * The load test of the SMTP adapter: many messages over a pooled transport, paced so the run
 * outlasts the access tokens, with the refreshes counted at the authorization server.
 */
import { createSmtpTransport, type SmtpTransportOptions } from '@oauth-authorizer/mail-adapters';
import type { AuthorizationServer } from '@oauth-authorizer/test-servers';
import type { Account } from './fixtures.js';

export interface BulkSendResult {
  sent: number;
  failed: unknown[];
  /** From the account's first tokens to the last accepted message, in seconds. */
  elapsedSeconds: number;
  /** Refresh requests the authorization server answered for this run. */
  refreshes: number;
}

/**
 * Sends `count` messages through a pooled transport, one every `spacing` ms, with small
 * `maxMessages` so connections are replaced (and log in again) all through the run.
 */
export async function sendWhileTokensExpire(
  server: AuthorizationServer,
  account: Account,
  target: Pick<SmtpTransportOptions, 'host' | 'port' | 'tls'>,
  options: { count: number; spacing: number; subject: (index: number) => string },
): Promise<BulkSendResult> {
  const refreshesBefore = server.countTokenRequests('refresh_token');
  const transport = await createSmtpTransport(account.manager, {
    ...target,
    user: account.user,
    pool: true,
    maxConnections: 3,
    maxMessages: 5,
  });
  const start = Date.now();
  const sends: Promise<unknown>[] = [];
  try {
    for (let index = 0; index < options.count; index++) {
      const due = start + index * options.spacing;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sends.push(
        transport.sendMail({
          from: account.user,
          to: 'sink@example.test',
          subject: options.subject(index),
          text: `Message ${index} of ${options.count}.`,
        }),
      );
    }
    const results = await Promise.allSettled(sends);
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    return {
      sent: results.length - failed.length,
      failed,
      elapsedSeconds: (Date.now() - account.authorizedAt) / 1000,
      refreshes: server.countTokenRequests('refresh_token') - refreshesBefore,
    };
  } finally {
    transport.close();
  }
}
