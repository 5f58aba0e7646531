import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileTokenStore } from '@oauth-authorizer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './cli-process.js';

const RECORDER = fileURLToPath(new URL('./fixtures/record-loaded-modules.cjs', import.meta.url));
/** Core's small reader of the token file: the one module the hot path loads besides the bin. */
const CACHED_READER = fileURLToPath(new URL('../../core/dist/cached-access-token.cjs', import.meta.url));
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-hot-path-'));
  const now = Date.now();
  await new FileTokenStore({ directory: join(home, 'accounts') }).set({
    account: 'fast@example.test',
    tokens: {
      accessToken: 'cached-access-token',
      tokenType: 'Bearer',
      expiresAt: now + 3_600_000,
      obtainedAt: now,
      extra: {},
    },
    settings: {
      version: 1,
      preset: 'custom',
      presetId: 'custom',
      flow: 'code',
      clientSecret: 'none',
      provider: { clientId: 'app', tokenUrl: 'http://127.0.0.1:9/token' },
    },
  });
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs the CLI with the recorder preloaded; returns its output and what it loaded. */
async function runRecorded(
  args: string[],
): Promise<{ stdout: string; status: number | null; files: string[]; internals: string[] }> {
  const record = join(home, `record-${args.join('-')}.json`);
  const result = spawnSync(process.execPath, ['-r', RECORDER, BIN, ...args], {
    env: { ...process.env, OAUTH_AUTHORIZER_HOME: home, RECORD_FILE: record },
    encoding: 'utf8',
  });
  const loaded = JSON.parse(await readFile(record, 'utf8')) as { files: string[]; internals: string[] };
  return { stdout: result.stdout, status: result.status, ...loaded };
}

describe('the token hot path', () => {
  it('answers from the account file alone: only core’s cached reader besides the bin, no ES module loader, no undici', async () => {
    const result = await runRecorded(['token', 'fast@example.test']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('cached-access-token\n');
    expect(result.files.map((file) => realpathSync(file))).toEqual(
      [RECORDER, BIN, CACHED_READER].map((file) => realpathSync(file)),
    );
    expect(result.internals).not.toContain('NativeModule internal/modules/esm/loader');
  });

  it('hands anything else to the full command line', async () => {
    const result = await runRecorded(['token', 'fast@example.test', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      access_token: 'cached-access-token',
      token_type: 'Bearer',
    });
    expect(result.internals).toContain('NativeModule internal/modules/esm/loader');
  });
});
