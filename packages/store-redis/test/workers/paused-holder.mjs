// A lock holder that gets frozen (SIGSTOP, as a long GC pause or a suspended VM would freeze it)
// in the middle of a refresh: prints "refreshing" once it holds the lock and is inside the
// refresh, then waits for "answer" on stdin and returns tokens as if the server had answered
// before the freeze. Prints {"code": <error code or null>} with the outcome of getAccessToken().
// Runs the built packages (dist/).
import { TokenManager } from '@oauth-authorizer/core';
import { RedisTokenStore } from '@oauth-authorizer/store-redis';

const [redisUrl, keyPrefix, account, tokenUrl, clientId, lease, renew] = process.argv.slice(2);
const store = new RedisTokenStore({
  redis: redisUrl,
  keyPrefix,
  plaintext: true,
  lockLease: Number(lease),
  lockRenewInterval: Number(renew),
});
process.stdin.setEncoding('utf8');
const answered = new Promise((resolve) => process.stdin.once('data', resolve));
const manager = new TokenManager({
  account,
  store,
  provider: { tokenUrl, clientId },
  retry: { retries: 0 },
  refresh: async () => {
    process.stdout.write('refreshing\n');
    await answered;
    const now = Date.now();
    return {
      accessToken: 'access-token-of-the-paused-holder',
      tokenType: 'Bearer',
      refreshToken: 'refresh-token-of-the-paused-holder',
      expiresAt: now + 3_600_000,
      obtainedAt: now,
      extra: {},
    };
  },
});
let code = null;
try {
  await manager.getAccessToken();
} catch (error) {
  code = error?.code ?? String(error);
}
process.stdout.write(`${JSON.stringify({ code })}\n`);
await store.close();
process.exit(0);
