/**
 * send-mail: sends one message over SMTP as an account that `oauth-authorizer authorize` set up,
 * through nodemailer and `@oauth-authorizer/mail-adapters`. The access token comes from the CLI's
 * token store; it is refreshed first when it has expired, and replaced once when the server
 * rejects it anyway. Prints the message's Message-ID on stdout, and what happened on stderr.
 *
 *   ACCOUNT=me@gmail.com MAIL_TO=friend@example.com node dist/main.js
 *
 * Environment: ACCOUNT, MAIL_TO (required); MAIL_FROM, MAIL_USER, MAIL_SUBJECT, MAIL_TEXT;
 * OAUTH_AUTHORIZER_HOME, PRESET, CLIENT_ID, OAUTH_AUTHORIZER_CLIENT_SECRET (see README.md).
 *
 * Reading the account and settings, and reporting a failure with the CLI's exit codes, are shared
 * by every example: `@oauth-authorizer/example-support` (examples/example-support).
 */

import {
  accountFromEnvironment,
  type Environment,
  optionalSetting,
  reportFailure,
  requiredSetting,
} from '@oauth-authorizer/example-support';
import { createSmtpTransportFor } from '@oauth-authorizer/mail-adapters';

const PROGRAM = 'send-mail';
const note = (line: string) => process.stderr.write(`${PROGRAM}: ${line}\n`);

async function main(env: Environment): Promise<void> {
  const to = requiredSetting(env, 'MAIL_TO', "the recipient's address");
  const account = await accountFromEnvironment(env);
  // The SASL user must be the mailbox the token belongs to; the account name usually is.
  const user = optionalSetting(env, 'MAIL_USER') ?? account.name;
  account.manager.on('tokens', () => note('refreshed the access token (the new tokens are stored)'));

  const transport = await createSmtpTransportFor(account.manager, { user, mail: account.mail });
  try {
    const info = await transport.sendMail({
      from: optionalSetting(env, 'MAIL_FROM') ?? user,
      to,
      subject: optionalSetting(env, 'MAIL_SUBJECT') ?? 'Hello from OAuth Authorizer',
      text:
        optionalSetting(env, 'MAIL_TEXT') ?? 'Sent with an OAuth2 token that oauth-authorizer keeps fresh.',
    });
    const server = account.mail?.smtp;
    note(`sent as ${user} to ${info.accepted.join(', ')} through ${server?.host}:${server?.port}`);
    process.stdout.write(`${info.messageId}\n`);
  } finally {
    transport.close();
  }
}

main(process.env).catch((error: unknown) => {
  process.exitCode = reportFailure(PROGRAM, error, { account: process.env.ACCOUNT });
});
