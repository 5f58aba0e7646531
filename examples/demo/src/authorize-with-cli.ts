import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DemoOptions } from './options.js';

const require = createRequire(import.meta.url);

/** The CLI's executable, as `pnpm build` left it. */
function cliBin(): string {
  return join(dirname(require.resolve('@oauth-authorizer/cli/package.json')), 'dist', 'bin.js');
}

/** The `$BROWSER` stand-in that signs in by itself (tools/test-servers). */
function autoBrowser(): string {
  return join(dirname(require.resolve('@oauth-authorizer/test-servers/package.json')), 'dist', 'browser.js');
}

/**
 * Runs `oauth-authorizer authorize` as a user would, in its own process with the demo's home
 * directory; its output (the bearer and refresh tokens) goes straight to the terminal.
 */
export function authorizeWithCli(
  options: DemoOptions,
  context: { home: string; presetFile: string; account: string; clientId: string },
): Promise<void> {
  const args = [
    cliBin(),
    'authorize',
    context.account,
    '--preset',
    context.presetFile,
    '--client-id',
    context.clientId,
    '--flow',
    options.device ? 'device' : 'code',
    '--login-hint',
    context.account,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, OAUTH_AUTHORIZER_HOME: context.home };
  // With --browser, the person's own browser: $BROWSER when set, else the platform's opener.
  if (!options.browser) {
    env.BROWSER = `"${process.execPath}" "${autoBrowser()}"`;
    env.TEST_BROWSER_LOGIN = context.account;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`oauth-authorizer authorize exited with ${code}`)),
    );
  });
}
