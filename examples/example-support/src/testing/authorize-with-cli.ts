/**
 * The README's first step, for real: `oauth-authorizer authorize` (the built CLI) with the
 * `$BROWSER` stand-in of the test servers signing in and consenting as the person would.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runNodeScript } from './node-script.js';

const require = createRequire(import.meta.url);

/**
 * Runs `oauth-authorizer authorize <login> …args` with `home` as its home; rejects with its stderr
 * unless it exits 0.
 *
 * @param timeout How long the CLI may take before it is killed and the run rejected, in ms.
 *   Default: 30 000
 * @example
 * ```ts
 * await authorizeWithCli(home.directory, login, ['--preset', home.presetFile, '--client-id', 'native-app']);
 * ```
 */
export async function authorizeWithCli(
  home: string,
  login: string,
  args: readonly string[],
  timeout = 30_000,
): Promise<number | null> {
  const cli = join(dirname(require.resolve('@oauth-authorizer/cli/package.json')), 'dist', 'bin.js');
  const browser = join(
    dirname(require.resolve('@oauth-authorizer/test-servers/package.json')),
    'dist',
    'browser.js',
  );
  const run = await runNodeScript(cli, ['authorize', login, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      OAUTH_AUTHORIZER_HOME: home,
      BROWSER: `"${process.execPath}" "${browser}"`,
      TEST_BROWSER_LOGIN: login,
    },
    // stdout shows the tokens: not wanted in test output. stderr explains a failure.
    stdout: 'ignore',
    timeout,
  });
  if (run.status !== 0)
    throw new Error(`oauth-authorizer authorize exited with ${run.status}:\n${run.stderr}`);
  return run.status;
}
