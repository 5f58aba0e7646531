import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileTokenStore } from '@oauth-authorizer/core';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;
let directory: string;
/** Writes its environment to a new file in $HOOK_OUT, then sleeps $HOOK_SLEEP seconds. */
let recorder: string;

beforeAll(async () => {
  provider = await startTestProvider();
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-notify-'));
  recorder = join(directory, 'record-env.sh');
  await writeFile(
    recorder,
    '#!/bin/sh\nenv > "$HOOK_OUT/run-$$.env"\necho "args=$*" >> "$HOOK_OUT/run-$$.env"\n[ -n "$HOOK_SLEEP" ] && sleep "$HOOK_SLEEP"\nexit 0\n',
  );
  await chmod(recorder, 0o755);
});

afterAll(async () => {
  await provider?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function authorize(home: string, account: string): Promise<string> {
  const result = await runCli(
    ['authorize', account, '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOGIN: account } },
  );
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { refresh_token: string }).refresh_token;
}

/** Revokes the grant at oidc-provider and makes the stored access token look expired, so `token` refreshes. */
async function revokeAndExpire(home: string, account: string, refreshToken: string): Promise<void> {
  const revoked = await fetch(provider.server.endpoints.revocation, {
    method: 'POST',
    body: new URLSearchParams({ token: refreshToken, client_id: clients.native.clientId }),
  });
  expect(revoked.status).toBe(200);
  const store = new FileTokenStore({ directory: join(home, 'accounts') });
  const record = await store.get(account);
  if (!record?.tokens) throw new Error('no tokens');
  await store.set({ ...record, tokens: { ...record.tokens, expiresAt: Date.now() - 60_000 } });
}

/** How long a detached hook may take to start on a loaded machine (CI's). */
const HOOK_START = { timeout: 20_000, interval: 100 };

/** The notify log under `home`, once it holds `text` (detached supervisors write it late). */
async function notifyLogOnceItHas(home: string, text: string | RegExp): Promise<void> {
  const log = () => readFile(join(home, 'notify.log'), 'utf8').catch(() => '');
  if (typeof text === 'string') await expect.poll(log, HOOK_START).toContain(text);
  else await expect.poll(log, HOOK_START).toMatch(text);
}

/**
 * The environment files the hook wrote, parsed: once `expected` of them are there (the hooks run
 * detached), and 1.5 s more, so that a run too many would show.
 */
async function hookRuns(out: string, expected: number): Promise<Record<string, string>[]> {
  await expect.poll(async () => (await readdir(out)).length, HOOK_START).toBeGreaterThanOrEqual(expected);
  await sleep(1500);
  const files = await readdir(out);
  return Promise.all(
    files.map(async (file) =>
      Object.fromEntries(
        (await readFile(join(out, file), 'utf8'))
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      ),
    ),
  );
}

let outs = 0;
async function newOut(): Promise<string> {
  const out = join(directory, `out-${++outs}`);
  await mkdir(out);
  return out;
}

describe('the notify hook runs when an account needs authorization', () => {
  it('config set notify stores the argv; a revoked grant found by token fires the hook once, detached, with the account, reason, hint and command', async () => {
    const home = await provider.newHome();
    const account = 'una@example.test';
    const refreshToken = await authorize(home, account);
    const set = await runCli(['config', 'set', 'notify', recorder, '--flag', 'two words'], { home });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(home, 'config.json'), 'utf8'))).toEqual({
      notify: [recorder, '--flag', 'two words'],
    });
    const shown = await runCli(['config', 'show'], { home });
    expect(shown.stdout).toBe(`notify: ${recorder} --flag 'two words'\nstore: (not set: file)\n`);

    await revokeAndExpire(home, account, refreshToken);
    const out = await newOut();
    const env = { HOOK_OUT: out, HOOK_SLEEP: '20' };
    // The hook sleeps 20 s (killed after 10 s): token must not wait for it.
    const started = Date.now();
    const first = await runCli(['token', account], { home, env });
    const elapsed = Date.now() - started;
    expect(first.code).toBe(3);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(
      'oauth-authorizer: account "una@example.test" was rejected by the provider',
    );
    expect(elapsed).toBeLessThan(8000);
    // Again, several at once, and status: the same situation notifies no more.
    const again = await Promise.all([1, 2, 3].map(() => runCli(['token', account], { home, env })));
    for (const result of again) {
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`oauth-authorizer: account "${account}" needs authorization since`);
    }
    expect((await runCli(['status', account], { home, env })).code).toBe(3);
    const runs = await hookRuns(out, 1);
    expect(runs).toHaveLength(1);
    const [run] = runs as [Record<string, string>];
    expect(run.OAUTH_AUTHORIZER_ACCOUNT).toBe(account);
    expect(run.OAUTH_AUTHORIZER_REASON).toBe('rejected');
    expect(run.OAUTH_AUTHORIZER_HINT).toContain('invalid_grant');
    expect(run.OAUTH_AUTHORIZER_COMMAND).toBe(`oauth-authorizer authorize ${account}`);
    expect(run.args).toBe('--flag two words');
    for (const value of Object.values(run)) expect(value).not.toContain(refreshToken);
  }, 90_000);

  it("token's exit code and output are the same without a hook; a new situation (authorized again, revoked again) notifies again", async () => {
    const home = await provider.newHome();
    const account = 'vera@example.test';
    let refreshToken = await authorize(home, account);
    await revokeAndExpire(home, account, refreshToken);
    const plain = await runCli(['token', account], { home });
    expect(plain.code).toBe(3);
    expect(await readdir(home)).not.toContain('notifications');

    const out = await newOut();
    await runCli(['config', 'set', 'notify', recorder], { home });
    // Already marked: the next token run finds the marked account and notifies about it once.
    const marked = await runCli(['token', account], { home, env: { HOOK_OUT: out } });
    expect(marked.code).toBe(3);
    expect(marked.stderr).toContain(`oauth-authorizer: account "${account}" needs authorization since`);
    expect(await hookRuns(out, 1)).toHaveLength(1);
    // The same run with notifications off: the same exit code and output.
    await runCli(['config', 'set', 'notify', '--off'], { home });
    const off = await runCli(['token', account], { home, env: { HOOK_OUT: out } });
    expect([off.code, off.stdout, off.stderr]).toEqual([marked.code, marked.stdout, marked.stderr]);
    await runCli(['config', 'set', 'notify', recorder], { home });

    refreshToken = await authorize(home, account);
    await revokeAndExpire(home, account, refreshToken);
    expect((await runCli(['token', account], { home, env: { HOOK_OUT: out } })).code).toBe(3);
    expect(await hookRuns(out, 2)).toHaveLength(2);
  }, 90_000);

  it('a hook that fails or runs too long is logged under the home; a bad settings file is a clear error (exit 2) and never changes token', async () => {
    const home = await provider.newHome();
    const account = 'wes@example.test';
    await authorize(home, account);
    const store = new FileTokenStore({ directory: join(home, 'accounts') });
    const record = await store.get(account);
    const mark = async (since: number) =>
      store.set({
        ...(record as NonNullable<typeof record>),
        authorizationRequired: { since, reason: 'invalid_grant' },
      });

    const failing = join(directory, 'failing.sh');
    await writeFile(failing, '#!/bin/sh\necho "no display here" >&2\nexit 7\n');
    await chmod(failing, 0o755);
    await runCli(['config', 'set', 'notify', failing], { home });
    await mark(1);
    // An option's value before the account is not taken for it.
    expect((await runCli(['token', '--min-validity', '30', account], { home })).code).toBe(3);
    await notifyLogOnceItHas(
      home,
      /wes@example\.test \(rejected\): the notify command exited with 7: no display here\n/,
    );

    await runCli(['config', 'set', 'notify', 'sleep', '30'], { home });
    await mark(2);
    const started = Date.now();
    expect((await runCli(['token', account], { home })).code).toBe(3);
    expect(Date.now() - started).toBeLessThan(4000);
    // Killed after 10 s, not before.
    await sleep(9_000);
    expect(await readFile(join(home, 'notify.log'), 'utf8')).not.toContain('ran longer than 10 s');
    await notifyLogOnceItHas(
      home,
      'wes@example.test (rejected): the notify command ran longer than 10 s and was killed',
    );

    await runCli(['config', 'set', 'notify', '/nonexistent/hook'], { home });
    await mark(3);
    expect((await runCli(['token', account], { home })).code).toBe(3);
    await notifyLogOnceItHas(home, 'the notify command "/nonexistent/hook" could not run: ENOENT');

    await writeFile(join(home, 'config.json'), '{"notify": "notify-send"}');
    const show = await runCli(['config', 'show'], { home });
    expect(show.code).toBe(2);
    expect(show.stderr).toContain(
      `the settings file ${join(home, 'config.json')} has "notify" = "notify-send": it must be an array of strings`,
    );
    await mark(4);
    const token = await runCli(['token', account], { home });
    expect(token.code).toBe(3);
    expect(token.stderr).not.toContain('settings file');
    expect(await readFile(join(home, 'notify.log'), 'utf8')).toContain('has "notify" = "notify-send"');
    const unknown = await runCli(['config', 'set', 'colour', 'red'], { home });
    expect(unknown.code).toBe(2);
  }, 90_000);

  it('without a setting: notify-send in a desktop session (DISPLAY or WAYLAND_DISPLAY), nothing without one; status fires it too', async () => {
    const home = await provider.newHome();
    const account = 'xia@example.test';
    await authorize(home, account);
    const store = new FileTokenStore({ directory: join(home, 'accounts') });
    const record = await store.get(account);
    await store.set({
      ...(record as NonNullable<typeof record>),
      authorizationRequired: { since: 5, reason: 'invalid_grant' },
    });
    const bin = join(directory, 'fake-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'notify-send'),
      '#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "$HOOK_OUT/notify-send-$$.txt"\n',
    );
    await chmod(join(bin, 'notify-send'), 0o755);
    const out = await newOut();
    const path = `${bin}:${process.env.PATH}`;
    const headless = await runCli(['status', account], {
      home,
      env: { HOOK_OUT: out, PATH: path, DISPLAY: undefined, WAYLAND_DISPLAY: undefined },
    });
    expect(headless.code).toBe(3);
    await sleep(1500);
    expect(await readdir(out)).toEqual([]);
    const desktop = await runCli(['status', account], {
      home,
      env: { HOOK_OUT: out, PATH: path, DISPLAY: ':0', WAYLAND_DISPLAY: undefined },
    });
    expect(desktop.code).toBe(3);
    await expect.poll(async () => (await readdir(out)).length, HOOK_START).toBe(1);
    await sleep(1500);
    const files = await readdir(out);
    expect(files).toHaveLength(1);
    const args = (await readFile(join(out, files[0] as string), 'utf8')).split('\n');
    expect(args.slice(0, 2)).toEqual(['--app-name=oauth-authorizer', `OAuth: ${account} needs attention`]);
    expect(args[2]).toContain('invalid_grant');
  });

  it('refresh --all fires the hook for an account whose refresh the provider rejects, once over several runs', async () => {
    const home = await provider.newHome();
    const account = 'yan@example.test';
    const refreshToken = await authorize(home, account);
    await authorize(home, 'zoe@example.test');
    await runCli(['config', 'set', 'notify', recorder], { home });
    await revokeAndExpire(home, account, refreshToken);
    const out = await newOut();
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['refresh', '--all'], { home, env: { HOOK_OUT: out } });
      expect(result.code).toBe(3);
    }
    const runs = await hookRuns(out, 1);
    expect(runs.map((env) => [env.OAUTH_AUTHORIZER_ACCOUNT, env.OAUTH_AUTHORIZER_REASON])).toEqual([
      [account, 'rejected'],
    ]);
  }, 60_000);
});
