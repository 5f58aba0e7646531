/**
 * Where the CLI keeps its accounts, as a rule every program can use: a Node.js service that shares
 * the CLI's accounts opens `new FileTokenStore({ directory: defaultAccountsDirectory() })` and finds
 * them on Linux, macOS and Windows, and under `$OAUTH_AUTHORIZER_HOME` when that is set.
 *
 * Exported from the main entry and from `@oauth-authorizer/core/cached-access-token` (the `token`
 * hot path's one module), so that the CLI's fast path resolves it without loading anything more.
 *
 * @module
 */
import { posix, win32 } from 'node:path';

/** The environment variable that names the home directory explicitly. */
export const HOME_VARIABLE = 'OAUTH_AUTHORIZER_HOME';

/** The directory under the home directory that holds one token file per account. */
export const ACCOUNTS_DIRECTORY_NAME = 'accounts';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The home directory of OAuth Authorizer: `$OAUTH_AUTHORIZER_HOME` when set, else the platform's
 * configuration directory — `$XDG_CONFIG_HOME/oauth-authorizer` (default
 * `~/.config/oauth-authorizer`) on Linux and other Unix systems, `~/Library/Application
 * Support/oauth-authorizer` on macOS unless `XDG_CONFIG_HOME` is set, `%APPDATA%\oauth-authorizer`
 * on Windows. Paths are built with the rules of `platform` (backslashes for `win32`).
 *
 * @param env Default: `process.env`
 * @param platform Default: `process.platform`
 *
 * @example
 * ```ts
 * defaultHomeDirectory({ OAUTH_AUTHORIZER_HOME: '/tmp/oa' }); // '/tmp/oa'
 * defaultHomeDirectory({ HOME: '/home/me' }, 'linux'); // '/home/me/.config/oauth-authorizer'
 * defaultHomeDirectory({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32');
 * // 'C:\\Users\\me\\AppData\\Roaming\\oauth-authorizer'
 * ```
 */
export function defaultHomeDirectory(
  env: Environment = process.env,
  platform: string = process.platform,
): string {
  const path = platform === 'win32' ? win32 : posix;
  const explicit = env[HOME_VARIABLE];
  if (explicit) return path.resolve(explicit);
  // node:os only when needed: the token hot path runs through here and HOME is nearly always set.
  const home =
    (platform === 'win32' ? env.USERPROFILE : env.HOME) || process.getBuiltinModule('node:os').homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'oauth-authorizer');
  // The XDG base directory spec says a relative value is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'oauth-authorizer');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'oauth-authorizer');
  return path.join(home, '.config', 'oauth-authorizer');
}

/** Options of {@link defaultAccountsDirectory}. */
export interface AccountsDirectoryOptions {
  /** The home directory. Default: {@link defaultHomeDirectory} of `env` and `platform` */
  home?: string;
  /** Default: `process.env` */
  env?: Environment;
  /** Default: `process.platform` */
  platform?: string;
}

/**
 * The accounts directory under the home directory: the {@link FileTokenStore} directory the CLI
 * reads and writes, one `<account>.json` per account.
 *
 * @example
 * ```ts
 * const store = new FileTokenStore({ directory: defaultAccountsDirectory() });
 * defaultAccountsDirectory({ home: '/srv/oa' }); // '/srv/oa/accounts'
 * ```
 */
export function defaultAccountsDirectory(options: AccountsDirectoryOptions = {}): string {
  const platform = options.platform ?? process.platform;
  const home = options.home ?? defaultHomeDirectory(options.env, platform);
  return (platform === 'win32' ? win32 : posix).join(home, ACCOUNTS_DIRECTORY_NAME);
}
