import { createHash } from 'node:crypto';
import type { TokenManager } from '@oauth-authorizer/core';
import { createSmtpTransportFor, type MailSettings } from '@oauth-authorizer/mail-adapters';
import type { SmtpServer } from '@oauth-authorizer/test-servers';

/** A short fingerprint of a token: enough to see it change, nothing to use it with. */
export const fingerprint = (token: string | undefined) =>
  token ? createHash('sha256').update(token).digest('hex').slice(0, 8) : 'none';

export interface SendResult {
  sent: number;
  failed: number;
  refreshes: number;
  elapsedSeconds: number;
}

/**
 * Sends `count` messages, `spacing` ms apart, through a pooled nodemailer transport that gets
 * its tokens from the manager; prints each refresh the manager makes along the way.
 */
export async function sendWhileTokensExpire(
  manager: TokenManager,
  mail: MailSettings,
  smtp: SmtpServer,
  options: { user: string; count: number; spacing: number; log: (line: string) => void },
): Promise<SendResult> {
  const { user, count, spacing, log } = options;
  let refreshes = 0;
  manager.on('refresh', ({ attempt, durationMs, ok }) => {
    if (!ok) log(`  refresh attempt ${attempt} failed after ${durationMs} ms; retrying`);
  });
  manager.on('tokens', (tokens) => {
    refreshes += 1;
    const left =
      tokens.expiresAt === undefined
        ? 'no expiry'
        : `valid ${Math.round((tokens.expiresAt - Date.now()) / 1000)} s`;
    log(
      `  ↻ refresh #${refreshes}: new access token ${fingerprint(tokens.accessToken)} (${left}), ` +
        `refresh token rotated to ${fingerprint(tokens.refreshToken)} and stored first`,
    );
  });
  const transport = await createSmtpTransportFor(manager, {
    user,
    mail,
    pool: true,
    maxConnections: 1,
    maxMessages: 1,
  });
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  try {
    for (let index = 1; index <= count; index++) {
      try {
        await transport.sendMail({
          from: user,
          to: 'friend@example.test',
          subject: `Demo message ${index} of ${count}`,
          text: 'Sent with a token that oauth-authorizer keeps fresh.',
        });
        sent += 1;
        const received = smtp.messages.length;
        log(
          `  ✉ message ${index}/${count} accepted by the SMTP server (token checked by introspection; ${received} received)`,
        );
      } catch (error) {
        failed += 1;
        log(`  ✗ message ${index}/${count} failed: ${(error as Error).message}`);
      }
      if (index < count) await new Promise((resolve) => setTimeout(resolve, spacing));
    }
  } finally {
    transport.close();
  }
  return { sent, failed, refreshes, elapsedSeconds: (Date.now() - started) / 1000 };
}
