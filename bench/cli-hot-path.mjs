// The CLI's hot path: `oauth-authorizer token <account>` with a valid cached token, as mail
// clients run it on every connection, against bare `node -e 0` — interleaved in one run, medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore } from '../packages/core/dist/index.js';
import { figure, median, timeCommand } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

export async function cliHotPath({ quick }) {
  const runs = quick ? 5 : 40;
  const home = mkdtempSync(join(tmpdir(), 'oauth-authorizer-bench-home-'));
  try {
    // An account as `authorize` leaves it, with an access token valid for an hour.
    const now = Date.now();
    await new FileTokenStore({ directory: join(home, 'accounts') }).set({
      account: 'bench',
      tokens: {
        accessToken: 'bench-access-token',
        tokenType: 'Bearer',
        refreshToken: 'bench-refresh-token',
        expiresAt: now + 3_600_000,
        obtainedAt: now,
        extra: {},
      },
      settings: { preset: 'custom', clientId: 'bench', tokenUrl: 'https://auth.invalid/token', flow: 'code' },
    });
    const env = { ...process.env, OAUTH_AUTHORIZER_HOME: home, NO_COLOR: '1' };
    const bare = [];
    const token = [];
    const first = timeCommand(process.execPath, [bin, 'token', 'bench'], { env });
    if (first.stdout !== 'bench-access-token\n')
      throw new Error(`token printed ${JSON.stringify(first.stdout)}`);
    for (let i = 0; i < runs; i++) {
      bare.push(timeCommand(process.execPath, ['-e', '0'], { env }).ms);
      token.push(timeCommand(process.execPath, [bin, 'token', 'bench'], { env }).ms);
    }
    const bareMs = median(bare);
    const tokenMs = median(token);
    return [
      figure('node -e 0', bareMs, 'ms'),
      figure('oauth-authorizer token (cached)', tokenMs, 'ms'),
      figure('token / node -e 0', tokenMs / bareMs, 'x', { op: '<=', value: 1.2 }),
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
