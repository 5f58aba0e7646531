// Cached getAccessToken() calls per second in one process, next to nodemailer's own XOAuth2
// getToken() on a cached token, both awaited the way an async program uses them.
import XOAuth2 from 'nodemailer/lib/xoauth2';
import { MemoryTokenStore, TokenManager } from '../packages/core/dist/index.js';
import { figure } from './lib.mjs';

async function rate(call, calls) {
  for (let i = 0; i < calls / 10; i++) await call(); // warm-up: let the JIT settle
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return calls / seconds;
}

export async function cachedToken({ quick }) {
  const calls = quick ? 200_000 : 3_000_000;
  const rounds = quick ? 1 : 5;
  const now = Date.now();
  const tokens = {
    accessToken: 'bench-access-token',
    tokenType: 'Bearer',
    refreshToken: 'bench-refresh-token',
    expiresAt: now + 3_600_000,
    obtainedAt: now,
    extra: {},
  };
  const store = new MemoryTokenStore();
  await store.set({ account: 'bench', tokens });
  const manager = new TokenManager({
    account: 'bench',
    store,
    provider: { clientId: 'bench', tokenUrl: 'https://auth.invalid/token' },
  });
  await manager.getAccessToken();
  const xoauth2 = new XOAuth2({ user: 'bench', accessToken: 'bench-access-token', expires: now + 3_600_000 });
  const nodemailerToken = () =>
    new Promise((resolve, reject) =>
      xoauth2.getToken(false, (error, token) => (error ? reject(error) : resolve(token))),
    );

  const ours = [];
  const theirs = [];
  // Interleaved rounds, medians: the machine's noise hits both alike.
  for (let round = 0; round < rounds; round++) {
    ours.push(await rate(() => manager.getAccessToken(), calls));
    theirs.push(await rate(nodemailerToken, calls));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const oursRate = median(ours);
  const theirsRate = median(theirs);
  return [
    figure('cached getAccessToken()', oursRate, 'calls/s', { op: '>=', value: 1_000_000 }),
    figure('nodemailer XOAuth2 getToken() (cached, promisified)', theirsRate, 'calls/s'),
    figure('getAccessToken() / nodemailer', oursRate / theirsRate, 'x', { op: '>=', value: 1 }),
  ];
}
