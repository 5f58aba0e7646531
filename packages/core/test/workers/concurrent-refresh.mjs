// One of several processes that ask for the same account's access token at the same moment:
// prints "ready", waits for "go" on stdin, makes <calls> concurrent getAccessToken() calls with a
// FileTokenStore, and prints {"tokens":[...distinct tokens]} on stdout for the test to check at
// the server (a channel to the test, not a log). Runs the built package (packages/core/dist).
// With a client secret after <calls>, the manager gets its tokens with the client credentials grant.
import { FileTokenStore, TokenManager } from '../../dist/index.js';

const [directory, account, tokenUrl, clientId, calls, clientSecret] = process.argv.slice(2);
const manager = new TokenManager({
  account,
  store: new FileTokenStore({ directory }),
  provider: { tokenUrl, clientId, ...(clientSecret && { clientSecret }) },
  ...(clientSecret && { grant: 'client_credentials' }),
  lockTimeout: 30_000,
});
process.stdin.setEncoding('utf8');
process.stdin.once('data', async () => {
  try {
    const tokens = await Promise.all(Array.from({ length: Number(calls) }, () => manager.getAccessToken()));
    process.stdout.write(`${JSON.stringify({ tokens: [...new Set(tokens)] })}\n`);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`failed: ${error?.code ?? ''} ${error?.message ?? error}\n`);
    process.exit(1);
  }
});
process.stdout.write('ready\n');
