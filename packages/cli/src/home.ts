import { isAbsolute, join, resolve } from 'node:path';

/** The environment variable that names the CLI's home directory. */
export const HOME_VARIABLE = 'OAUTH_AUTHORIZER_HOME';

/** The directory under the home directory that holds one token file per account. */
export const ACCOUNTS_DIRECTORY = 'accounts';

/**
 * The directory where the CLI keeps everything it stores: `$OAUTH_AUTHORIZER_HOME` when set, else
 * the platform's configuration directory — `$XDG_CONFIG_HOME/oauth-authorizer` (default
 * `~/.config/oauth-authorizer`) on Linux and other Unix systems, `~/Library/Application
 * Support/oauth-authorizer` on macOS unless `XDG_CONFIG_HOME` is set, `%APPDATA%\oauth-authorizer`
 * on Windows.
 *
 * @param env Default: `process.env`
 * @param platform Default: `process.platform`
 *
 * @example
 * ```ts
 * resolveHome({ OAUTH_AUTHORIZER_HOME: '/tmp/oa' }); // '/tmp/oa'
 * resolveHome({ HOME: '/home/me' }, 'linux'); // '/home/me/.config/oauth-authorizer'
 * ```
 */
export function resolveHome(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): string {
  const explicit = env[HOME_VARIABLE];
  if (explicit) return resolve(explicit);
  // node:os only when needed: the token hot path runs through here and HOME is nearly always set.
  const home = env.HOME || process.getBuiltinModule('node:os').homedir();
  if (platform === 'win32') {
    return join(env.APPDATA || join(env.USERPROFILE || home, 'AppData', 'Roaming'), 'oauth-authorizer');
  }
  // The XDG base directory spec says a relative value is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'oauth-authorizer');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'oauth-authorizer');
  return join(home, '.config', 'oauth-authorizer');
}

/**
 * The token store's directory under `home`: one `<account>.json` per account.
 *
 * @example
 * ```ts
 * new FileTokenStore({ directory: accountsDirectory(resolveHome()) });
 * ```
 */
export function accountsDirectory(home: string): string {
  return join(home, ACCOUNTS_DIRECTORY);
}
