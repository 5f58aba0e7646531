/**
 * The README's first step, for real: `oauth-authorizer authorize` (the built CLI) with the
 * `$BROWSER` stand-in of the test servers signing in and consenting as the person would.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
export function authorizeWithCli(
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'authorize', login, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        OAUTH_AUTHORIZER_HOME: home,
        BROWSER: `"${process.execPath}" "${browser}"`,
        TEST_BROWSER_LOGIN: login,
      },
      // stdout shows the tokens: not wanted in test output. stderr explains a failure.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Never outlive the test: a sign-in that went wrong would leave the CLI waiting for minutes.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oauth-authorizer authorize did not end within ${timeout} ms`));
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (status === 0) resolve(status);
      else reject(new Error(`oauth-authorizer authorize exited with ${status}:\n${stderr}`));
    });
  });
}
