/**
 * pop3: looks into a POP3 maildrop as an account that `oauth-authorizer authorize` set up, with the
 * POP3 client of `@oauth-authorizer/mail-adapters` (AUTH XOAUTH2 or OAUTHBEARER, as the preset
 * says): STAT, LIST, RETR of the newest message to show its subject, then QUIT. Nothing is
 * deleted. The access token comes from the CLI's token store; it is refreshed first when it has
 * expired, and replaced once when the server rejects it anyway.
 *
 *   ACCOUNT=me@outlook.com node dist/main.js
 *
 * Environment: ACCOUNT (required); MAIL_USER; OAUTH_AUTHORIZER_HOME, PRESET, CLIENT_ID,
 * OAUTH_AUTHORIZER_CLIENT_SECRET (see README.md).
 *
 * Reading the account and settings, and reporting a failure with the CLI's exit codes, are shared
 * by every example: `@oauth-authorizer/example-support` (examples/example-support).
 */

import {
  accountFromEnvironment,
  type Environment,
  optionalSetting,
  reportFailure,
} from '@oauth-authorizer/example-support';
import { connectPop3For } from '@oauth-authorizer/mail-adapters';
import { headerValue } from './message-headers.js';

const PROGRAM = 'pop3';
const note = (line: string) => process.stderr.write(`${PROGRAM}: ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);

/** Headers come from strangers: no line breaks or terminal escapes reach the output. */
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();

async function main(env: Environment): Promise<void> {
  const account = await accountFromEnvironment(env);
  // The login must be the mailbox the token belongs to; the account name usually is.
  const user = optionalSetting(env, 'MAIL_USER') ?? account.name;
  account.manager.on('tokens', () => note('refreshed the access token (the new tokens are stored)'));

  const pop3 = await connectPop3For(account.manager, { user, mail: account.mail });
  try {
    const { count, size } = await pop3.stat();
    print(`messages: ${count} (${size} octets)`);
    const sizes = await pop3.list();
    for (const entry of sizes) print(`#${entry.number}\t${entry.size} octets`);
    // Servers number the messages in the order they arrived: the highest number is the newest.
    const newest = sizes.at(-1);
    if (newest === undefined) {
      note('the maildrop is empty');
    } else {
      const subject = headerValue(await pop3.retrieveMessage(newest.number), 'Subject');
      print(`newest #${newest.number} subject: ${subject === undefined ? '(none)' : printable(subject)}`);
    }
    await pop3.quit();
  } catch (error) {
    // Without QUIT the server ends the session without its UPDATE state: nothing changes.
    pop3.close();
    throw error;
  }
}

main(process.env).catch((error: unknown) => {
  process.exitCode = reportFailure(PROGRAM, error, { account: process.env.ACCOUNT });
});
