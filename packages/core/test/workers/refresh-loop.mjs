// On "go" (stdin), refreshes one account over and over (forced refreshes through a TokenManager and a
// FileTokenStore) until it is killed. Markers on stderr tell the test where a SIGKILL landed:
// "request" before a token request is sent, "response" when its answer has arrived, "stored" when
// the new tokens are in the file. stderr to a pipe is synchronous on Linux, so a marker the test
// sees was written before the kill. Runs the built package (packages/core/dist).
import { FileTokenStore, refreshTokens, TokenManager } from '../../dist/index.js';

const [directory, account, tokenUrl, clientId] = process.argv.slice(2);
// Loaded and connected now, so that the kill lands in refresh-and-write rather than in module
// loading or connecting (core sends through undici's global pool, which keeps this connection).
const { request } = await import('undici');
const warmUp = await request(new URL('/.well-known/openid-configuration', tokenUrl));
await warmUp.body.text();
const manager = new TokenManager({
  account,
  store: new FileTokenStore({ directory }),
  provider: { tokenUrl, clientId },
  retry: { retries: 0 },
  refresh: async (provider, refreshToken, options) => {
    process.stderr.write('request\n');
    const tokens = await refreshTokens(provider, refreshToken, options);
    process.stderr.write('response\n');
    return tokens;
  },
});
let warm = false;
manager.on('tokens', () => {
  process.stderr.write('stored\n');
  // After the first refresh (connection open, code compiled) the test picks its moment to kill.
  if (!warm) process.stdout.write('warm\n');
  warm = true;
});
process.stdout.write('ready\n');
// Started ahead of time by the test, which says "go" when this worker's turn comes.
await new Promise((resolve) => process.stdin.once('data', resolve));
for (;;) {
  try {
    await manager.getAccessToken({ forceRefresh: true });
  } catch (error) {
    process.stderr.write(`failed: ${error?.code ?? ''} ${error?.message ?? error}\n`);
    process.exit(1);
  }
}
