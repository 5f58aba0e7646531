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
    const store = new FileTokenStore({ directory: join(home, 'accounts') });
    await store.set({
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
    // A keyring account's file as `authorize --store keyring` leaves it: the refresh token is in
    // the OS keyring, which a valid cached token must not need (no D-Bus session is needed here).
    await store.set({
      account: 'bench-keyring',
      tokens: {
        accessToken: 'bench-keyring-access-token',
        tokenType: 'Bearer',
        expiresAt: now + 3_600_000,
        obtainedAt: now,
        extra: {},
      },
      settings: {
        preset: 'custom',
        clientId: 'bench',
        tokenUrl: 'https://auth.invalid/token',
        flow: 'code',
        store: 'keyring',
      },
    });
    const env = { ...process.env, OAUTH_AUTHORIZER_HOME: home, NO_COLOR: '1' };
    const bare = [];
    const token = [];
    const keyringToken = [];
    const first = timeCommand(process.execPath, [bin, 'token', 'bench'], { env });
    if (first.stdout !== 'bench-access-token\n')
      throw new Error(`token printed ${JSON.stringify(first.stdout)}`);
    const firstKeyring = timeCommand(process.execPath, [bin, 'token', 'bench-keyring'], { env });
    if (firstKeyring.stdout !== 'bench-keyring-access-token\n')
      throw new Error(`token of the keyring account printed ${JSON.stringify(firstKeyring.stdout)}`);
    for (let i = 0; i < runs; i++) {
      bare.push(timeCommand(process.execPath, ['-e', '0'], { env }).ms);
      token.push(timeCommand(process.execPath, [bin, 'token', 'bench'], { env }).ms);
      keyringToken.push(timeCommand(process.execPath, [bin, 'token', 'bench-keyring'], { env }).ms);
    }
    const bareMs = median(bare);
    const tokenMs = median(token);
    const keyringMs = median(keyringToken);
    return [
      figure('node -e 0', bareMs, 'ms'),
      figure('oauth-authorizer token (cached)', tokenMs, 'ms'),
      figure('token / node -e 0', tokenMs / bareMs, 'x', { op: '<=', value: 1.2 }),
      figure('oauth-authorizer token (cached, keyring account)', keyringMs, 'ms'),
      figure('token (keyring account) / node -e 0', keyringMs / bareMs, 'x', { op: '<=', value: 1.2 }),
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
