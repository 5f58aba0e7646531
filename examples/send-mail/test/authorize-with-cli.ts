/**
 * The README's first step, for real: `oauth-authorizer authorize` (the built CLI) with the
 * `$BROWSER` stand-in of the test servers signing in and consenting as the person would.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Runs `oauth-authorizer authorize <login> …args` with `home` as its home; resolves with its exit code. */
export function authorizeWithCli(
  home: string,
  login: string,
  args: readonly string[],
): Promise<number | null> {
  const cli = join(dirname(require.resolve('@oauth-authorizer/cli/package.json')), 'dist', 'bin.js');
  const browser = join(
    dirname(require.resolve('@oauth-authorizer/test-servers/package.json')),
    'dist',
    'browser.js',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'authorize', login, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        OAUTH_AUTHORIZER_HOME: home,
        BROWSER: `"${process.execPath}" "${browser}"`,
        TEST_BROWSER_LOGIN: login,
      },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}
