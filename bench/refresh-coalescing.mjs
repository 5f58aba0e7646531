// Refresh coalescing: how many token requests a real oidc-provider (with refresh-token rotation)
// sees when many callers find the same token expired at once — in one process, and in 8 processes
// sharing the file store.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore, MemoryTokenStore, TokenManager } from '../packages/core/dist/index.js';
import { authorizeTestAccount, startAuthorizationServer } from '../tools/test-servers/dist/index.js';
import { figure } from './lib.mjs';

const worker = fileURLToPath(
  new URL('../packages/core/test/workers/concurrent-refresh.mjs', import.meta.url),
);

const expired = (tokens) => ({
  ...tokens,
  obtainedAt: Date.now() - 3_660_000,
  expiresAt: Date.now() - 60_000,
});

async function inOneProcess(server, callers) {
  const { provider, tokens } = await authorizeTestAccount(server, 'one@example.test');
  const store = new MemoryTokenStore();
  await store.set({ account: 'one', tokens: expired(tokens) });
  const manager = new TokenManager({ account: 'one', store, provider });
  const before = server.countTokenRequests('refresh_token');
  const results = await Promise.all(Array.from({ length: callers }, () => manager.getAccessToken()));
  if (new Set(results).size !== 1) throw new Error('callers got different tokens');
  return server.countTokenRequests('refresh_token') - before;
}

function startWorker(args) {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('ready\n')) resolve();
    });
  });
  const done = new Promise((resolve, reject) => {
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`worker exited ${code}: ${errors}`)),
    );
  });
  return { child, ready, done };
}

async function acrossProcesses(server, processes, callers) {
  const { provider, tokens } = await authorizeTestAccount(server, 'many@example.test');
  const directory = mkdtempSync(join(tmpdir(), 'oauth-authorizer-bench-'));
  try {
    await new FileTokenStore({ directory }).set({ account: 'many', tokens: expired(tokens) });
    const workers = Array.from({ length: processes }, () =>
      startWorker([directory, 'many', provider.tokenUrl, provider.clientId, String(callers)]),
    );
    await Promise.all(workers.map((w) => w.ready));
    const before = server.countTokenRequests('refresh_token');
    for (const w of workers) w.child.stdin.write('go\n');
    await Promise.all(workers.map((w) => w.done));
    return server.countTokenRequests('refresh_token') - before;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function refreshCoalescing({ quick }) {
  const server = await startAuthorizationServer();
  try {
    const single = await inOneProcess(server, quick ? 200 : 1000);
    const multi = await acrossProcesses(server, quick ? 4 : 8, quick ? 10 : 50);
    return [
      figure(`token requests, ${quick ? 200 : 1000} concurrent callers in one process`, single, '', {
        op: '==',
        value: 1,
      }),
      figure(
        `token requests, ${quick ? '4 × 10' : '8 × 50'} callers in processes with the file store`,
        multi,
        '',
        {
          op: '==',
          value: 1,
        },
      ),
    ];
  } finally {
    await server.close();
  }
}
