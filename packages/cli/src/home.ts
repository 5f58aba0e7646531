/**
 * The CLI's home and accounts directory: core's rule ({@link defaultHomeDirectory}), so that a
 * Node.js program using core finds the same accounts. Imported from core's `cached-access-token`
 * entry, which the `token` hot path loads anyway.
 */
import { defaultAccountsDirectory, defaultHomeDirectory } from '@oauth-authorizer/core/cached-access-token';

export { HOME_VARIABLE } from '@oauth-authorizer/core/cached-access-token';

/**
 * The directory where the CLI keeps everything it stores (see core's `defaultHomeDirectory`).
 *
 * @example
 * ```ts
 * resolveHome({ OAUTH_AUTHORIZER_HOME: '/tmp/oa' }); // '/tmp/oa'
 * ```
 */
export const resolveHome: typeof defaultHomeDirectory = defaultHomeDirectory;

/**
 * The token store's directory under `home`: one `<account>.json` per account.
 *
 * @example
 * ```ts
 * new FileTokenStore({ directory: accountsDirectory(resolveHome()) });
 * ```
 */
export function accountsDirectory(home: string): string {
  return defaultAccountsDirectory({ home });
}
