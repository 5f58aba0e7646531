import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '@oauth-authorizer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// An account file edited by hand: every field the CLI reads is checked, and a wrong one is a
// configuration error (exit 2) that names the file and the field, never a TypeError from deep
// inside (`value.slice is not a function`), and never the field's value.

// biome-ignore lint/suspicious/noExplicitAny: a hand edit reaches anywhere in the parsed file
type AccountJson = Record<string, any>;

let home: string;
let store: FileTokenStore;
const ACCOUNT = 'hand@example.test';

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-hand-edited-'));
  store = new FileTokenStore({ directory: join(home, 'accounts') });
  const now = Date.now();
  await store.set({
    account: ACCOUNT,
    tokens: {
      accessToken: 'expired-access-token',
      refreshToken: 'secret-refresh-token',
      tokenType: 'Bearer',
      expiresAt: now - 60_000,
      obtainedAt: now - 3_660_000,
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

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Rewrites the account file as a person with an editor would. */
async function edit(change: (json: AccountJson) => void): Promise<void> {
  const file = store.pathOf(ACCOUNT);
  const json = JSON.parse(await readFile(file, 'utf8')) as AccountJson;
  change(json);
  await writeFile(file, JSON.stringify(json, null, 2), { mode: 0o600 });
}

describe('a hand-edited account file', () => {
  it.each([
    [
      'provider.tokenUrl',
      (json: AccountJson) => (json.settings.provider.tokenUrl = 42),
      'a string, got a number',
    ],
    [
      'provider.scopes',
      (json: AccountJson) => (json.settings.provider.scopes = 'mail'),
      'a list of strings, got a string',
    ],
    [
      'provider.tokenHeaders',
      (json: AccountJson) => (json.settings.provider.tokenHeaders = { a: 1 }),
      'an object of strings, got an object',
    ],
    [
      'flow',
      (json: AccountJson) => (json.settings.flow = 'implicit'),
      'one of code, device, client_credentials',
    ],
    ['errorsOf', (json: AccountJson) => (json.settings.errorsOf = ['microsoft']), 'a string, got an array'],
  ])('with a wrong "%s" gives exit 2 naming the file and the field', async (field, change, expected) => {
    await edit(change);
    for (const command of [
      ['token', ACCOUNT],
      ['refresh', ACCOUNT],
    ]) {
      const result = await runCli(command, { home });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`"${field}" must be ${expected}`);
      expect(result.stderr).toContain(store.pathOf(ACCOUNT));
      expect(result.stderr).not.toMatch(/is not a function|TypeError|at .*\.js:\d+/);
      expect(result.stderr).not.toContain('secret-refresh-token');
    }
  });

  it('that is no longer a valid record (a token field of the wrong type) is a configuration error too', async () => {
    await edit((json) => {
      json.tokens.expires_at = 12;
    });
    const result = await runCli(['token', ACCOUNT], { home });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(store.pathOf(ACCOUNT));
    expect(result.stderr).toContain('"expires_at"');
    expect(result.stderr).not.toContain('secret-refresh-token');
    expect(result.stderr).not.toContain('expired-access-token');
  });
});
