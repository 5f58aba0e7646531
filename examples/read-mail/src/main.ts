/**
 * read-mail: lists the newest messages of an IMAP mailbox as an account that
 * `oauth-authorizer authorize` set up, through imapflow and `@oauth-authorizer/mail-adapters`.
 * The access token comes from the CLI's token store; it is refreshed first when it has expired,
 * and replaced once when the server rejects it anyway. The mailbox is opened read-only.
 *
 *   ACCOUNT=me@gmail.com node dist/main.js
 *
 * Prints one line per message, newest first: number, date, sender and subject, separated by tabs.
 *
 * Environment: ACCOUNT (required); MAILBOX (default INBOX), COUNT (default 10), MAIL_USER;
 * OAUTH_AUTHORIZER_HOME, PRESET, CLIENT_ID, OAUTH_AUTHORIZER_CLIENT_SECRET (see README.md).
 *
 * Reading the account and settings, and reporting a failure with the CLI's exit codes, are shared
 * by every example: `@oauth-authorizer/example-support` (examples/example-support).
 */

import {
  accountFromEnvironment,
  countSetting,
  type Environment,
  optionalSetting,
  reportFailure,
} from '@oauth-authorizer/example-support';
import { connectImapFor } from '@oauth-authorizer/mail-adapters';
import { type MessageSummary, newestMessages } from './newest-messages.js';

const PROGRAM = 'read-mail';
const note = (line: string) => process.stderr.write(`${PROGRAM}: ${line}\n`);

/** Message fields come from strangers: no tabs, line breaks or terminal escapes reach the output. */
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();

function line(message: MessageSummary): string {
  const date = message.date ? message.date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
  return [
    message.seq,
    date,
    printable(message.from) || '-',
    printable(message.subject) || '(no subject)',
  ].join('\t');
}

async function main(env: Environment): Promise<void> {
  const mailbox = optionalSetting(env, 'MAILBOX') ?? 'INBOX';
  const count = countSetting(env, 'COUNT', 10, 1000);
  const account = await accountFromEnvironment(env);
  // The login must be the mailbox the token belongs to; the account name usually is.
  const user = optionalSetting(env, 'MAIL_USER') ?? account.name;
  account.manager.on('tokens', () => note('refreshed the access token (the new tokens are stored)'));

  const client = await connectImapFor(account.manager, { user, mail: account.mail });
  try {
    const { total, messages } = await newestMessages(client, mailbox, count);
    for (const message of messages) process.stdout.write(`${line(message)}\n`);
    note(
      total === 0
        ? `${mailbox} is empty`
        : `the newest ${messages.length} of ${total} messages in ${mailbox}`,
    );
  } finally {
    // LOGOUT lets the server end the session cleanly; close() is the fallback on a broken connection.
    await client.logout().catch(() => client.close());
  }
}

main(process.env).catch((error: unknown) => {
  process.exitCode = reportFailure(PROGRAM, error, { account: process.env.ACCOUNT });
});
