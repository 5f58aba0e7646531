#!/usr/bin/env node
/**
 * The `oauth-authorizer` executable. `token <account>` with a valid cached token — what mail
 * clients run on every connection — is answered here from the account's file alone; everything
 * else loads the full command line (`esm/main.js`) on demand.
 *
 * It is built as CommonJS (`dist/bin.js`, beside a `dist/package.json` that says so): Node starts
 * a CommonJS entry point without setting up its ES module loader, which is most of what the hot
 * path would otherwise cost over a bare `node -e 0`.
 */
import { readCachedAccessToken } from '@oauth-authorizer/core/cached-access-token';
import { accountsDirectory, resolveHome } from './home.js';

/** The rest of the CLI, an ES module; a variable, so that the bundler leaves it out of this file. */
const MAIN_MODULE = './esm/main.js';

/** Answers `token <account> [--min-validity <s>]` from the cache; false when the full command must run. */
function printCachedToken(argv: readonly string[]): boolean {
  if (argv[0] !== 'token') return false;
  let account: string | undefined;
  let minValidity = 60;
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index] as string;
    let value: string | undefined;
    if (arg === '--min-validity') value = argv[++index];
    else if (arg.startsWith('--min-validity=')) value = arg.slice('--min-validity='.length);
    else if (account === undefined && !arg.startsWith('-')) {
      account = arg;
      continue;
    } else return false;
    if (value === undefined || !/^\d{1,9}$/.test(value)) return false;
    minValidity = Number(value);
  }
  if (account === undefined) return false;
  const token = readCachedAccessToken(accountsDirectory(resolveHome()), account, minValidity);
  if (token === undefined) return false;
  process.stdout.write(`${token}\n`);
  return true;
}

const argv = process.argv.slice(2);
if (!printCachedToken(argv)) {
  (import(MAIN_MODULE) as Promise<typeof import('./main.js')>)
    .then(({ main }) => main(argv))
    .then(
      (code) => {
        // Leftovers (undici's keep-alive sockets, a paused stdin) must not keep a finished
        // command alive; stdout is flushed first so that piped output is complete.
        process.stdout.write('', () => process.exit(code));
      },
      (error: unknown) => {
        process.stderr.write(`oauth-authorizer: could not start: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
}
