// One of several processes (standing for machines of a fleet) that need the same account's access
// token at the same moment: prints "ready", waits for "go" on stdin, makes <calls> concurrent
// getAccessToken() calls through a TokenManager on the Redis store, and prints
// {"tokens":[...distinct tokens]} on stdout for the test to check at the server (a channel to the
// test, not a log). Runs the built packages (dist/).
import { TokenManager } from '@oauth-authorizer/core';
import { RedisTokenStore } from '@oauth-authorizer/store-redis';

const [redisUrl, keyPrefix, account, tokenUrl, clientId, calls] = process.argv.slice(2);
const store = new RedisTokenStore({
  redis: redisUrl,
  keyPrefix,
  encryptionKey: Buffer.from(process.env.TOKEN_STORE_KEY ?? '', 'base64'),
});
const manager = new TokenManager({ account, store, provider: { tokenUrl, clientId }, lockTimeout: 30_000 });
process.stdin.setEncoding('utf8');
process.stdin.once('data', async () => {
  let status = 0;
  try {
    const tokens = await Promise.all(Array.from({ length: Number(calls) }, () => manager.getAccessToken()));
    process.stdout.write(`${JSON.stringify({ tokens: [...new Set(tokens)] })}\n`);
  } catch (error) {
    process.stderr.write(`failed: ${error?.code ?? ''} ${error?.message ?? error}\n`);
    status = 1;
  }
  await store.close();
  process.exit(status);
});
process.stdout.write('ready\n');
