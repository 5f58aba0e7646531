/**
 * A stand-in for a person at a browser, to be named in `$BROWSER`: it takes the URL as its last
 * argument; for an authorization URL it signs in and consents (or denies) on the test
 * authorization server's pages and then follows the redirect to the client's listener, as a
 * browser would; for a device verification URL it approves (or denies) the user code.
 *
 * Environment: `TEST_BROWSER_LOGIN` (default `user@example.test`), `TEST_BROWSER_DENY=1` to deny,
 * `TEST_BROWSER_LOG` a file to append each URL it was given to.
 */
import { appendFileSync } from 'node:fs';
import { approveDeviceCode, signIn } from './sign-in.js';

async function main(): Promise<void> {
  const target = process.argv.at(-1);
  if (!target?.startsWith('http')) throw new Error('usage: browser <url>');
  if (process.env.TEST_BROWSER_LOG) appendFileSync(process.env.TEST_BROWSER_LOG, `${target}\n`);
  const options = {
    login: process.env.TEST_BROWSER_LOGIN ?? 'user@example.test',
    deny: process.env.TEST_BROWSER_DENY === '1',
  };
  const url = new URL(target);
  if (url.pathname.startsWith('/device')) {
    const userCode = url.searchParams.get('user_code');
    if (!userCode) throw new Error('the device verification URL has no user_code');
    await approveDeviceCode(url.href, userCode, options);
    return;
  }
  const redirect = await signIn(url.href, options);
  const response = await fetch(redirect);
  await response.text();
}

main().catch((error: unknown) => {
  process.stderr.write(`test browser: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
