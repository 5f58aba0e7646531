import { type ProviderConfig, TokenManager } from '@oauth-authorizer/core';
import { providerOf } from './account-settings.js';
import type { LoadedAccount } from './account-store.js';
import type { CommandContext } from './command-context.js';

/**
 * Core's token manager for a stored account, on the file store, so concurrent commands (and
 * concurrent processes) refresh once. An account authorized with client credentials gets each new
 * token that way (with the scopes of its stored provider configuration). A client secret that
 * should come from the environment and does not is only an error when a new token is actually
 * needed: a valid cached token is still handed out without it.
 *
 * @example
 * ```ts
 * const manager = tokenManagerFor(context, account, await loadAccount(context, account));
 * const token = await manager.getAccessToken();
 * ```
 */
export function tokenManagerFor(
  context: CommandContext,
  account: string,
  loaded: LoadedAccount,
  options: { minValidity?: number | undefined } = {},
): TokenManager {
  const { settings, store } = loaded;
  let unusable: (() => Promise<never>) | undefined;
  let provider: ProviderConfig = { ...settings.provider };
  try {
    provider = providerOf(account, settings, context.env);
  } catch (error) {
    unusable = () => Promise.reject(error);
  }
  if (provider.clientSecret) context.output.addSecrets(provider.clientSecret);
  const appOnly = settings.flow === 'client_credentials';
  const manager = new TokenManager({
    account,
    store,
    provider,
    ...(options.minValidity !== undefined && { minValidity: options.minValidity }),
    ...(appOnly && { grant: 'client_credentials' as const }),
    ...(unusable && { refresh: unusable, clientCredentials: unusable }),
  });
  manager.on('tokens', (tokens) => context.output.addSecrets(tokens.accessToken, tokens.refreshToken));
  return manager;
}
