// A process that takes the account's lock to refresh and then hangs in the refresh (the request
// has not left yet): prints "refreshing" once it holds the lock and is inside the refresh, for the
// test to kill it with SIGKILL there. Runs the built packages (dist/).
import { refreshTokens, TokenManager } from '@oauth-authorizer/core';
import { RedisTokenStore } from '@oauth-authorizer/store-redis';

const [redisUrl, keyPrefix, account, tokenUrl, clientId, lease] = process.argv.slice(2);
const store = new RedisTokenStore({ redis: redisUrl, keyPrefix, lockLease: Number(lease), plaintext: true });
const manager = new TokenManager({
  account,
  store,
  provider: { tokenUrl, clientId },
  refresh: async (provider, refreshToken, options) => {
    process.stdout.write('refreshing\n');
    await new Promise((resolve) => setTimeout(resolve, 120_000));
    return refreshTokens(provider, refreshToken, options);
  },
});
manager.getAccessToken().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`failed: ${error?.code ?? ''} ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
