import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { appendFile, mkdir, open, readdir, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { StoredAccount } from '@oauth-authorizer/core';
import { type AccountHealth, type AuthorizationReason, assessAccountHealth } from './account-health.js';
import { shellQuote } from './errors.js';
import { readSettings } from './settings-file.js';

/** Why a notification runs: the account needs authorization, or its refresh token nears a known limit. */
export type NotificationReason = AuthorizationReason | 'nears-limit';

/** What a notification says; `state` identifies the situation, so that one situation notifies once. */
export interface AuthorizationNotice {
  account: string;
  reason: NotificationReason;
  /** What happened and what to do, in a sentence or two. */
  hint: string;
  /** The command that fixes it. */
  command: string;
  state: string;
}

/** The log of hooks that failed, under the home directory. */
export const NOTIFY_LOG = 'notify.log';
/** Where the once-per-situation markers live, under the home directory. */
const MARKERS = 'notifications';
/** How long a hook may run. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * The notice for an account's state, or `undefined` when there is nothing to say.
 *
 * @example
 * ```ts
 * const notice = noticeOf(record, assessAccountHealth(record));
 * ```
 */
export function noticeOf(record: StoredAccount, health: AccountHealth): AuthorizationNotice | undefined {
  const command = `oauth-authorizer authorize ${shellQuote(record.account)}`;
  const needs = health.needsAuthorization;
  if (needs) {
    const since =
      record.authorizationRequired?.since ?? health.deadline?.expiresAt ?? record.tokens?.obtainedAt;
    return {
      account: record.account,
      reason: needs.reason,
      hint: `${needs.detail}; ${needs.hint}`,
      command,
      state: `${needs.reason}:${since ?? ''}`,
    };
  }
  if (health.nearsLimit && health.deadline) {
    const limit = health.deadline.limit;
    return {
      account: record.account,
      reason: 'nears-limit',
      hint: `the refresh token may stop working ${new Date(health.deadline.expiresAt).toISOString()} (${limit?.description ?? 'the provider said so'})${limit ? `; ${limit.advice}` : ''}`,
      command,
      state: `nears-limit:${health.deadline.expiresAt}`,
    };
  }
  return undefined;
}

function onPath(name: string, env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.PATH ?? '').split(delimiter).some((directory) => {
    if (directory === '') return false;
    try {
      accessSync(join(directory, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The hook's argv: the configured one, else `notify-send` in a desktop session, else none. */
async function hookFor(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  notice: AuthorizationNotice,
): Promise<string[] | undefined> {
  const { notify } = await readSettings(home);
  if (notify === null) return undefined;
  if (notify !== undefined) return notify;
  if (!(env.DISPLAY || env.WAYLAND_DISPLAY) || !onPath('notify-send', env)) return undefined;
  return [
    'notify-send',
    '--app-name=oauth-authorizer',
    `OAuth: ${notice.account} needs attention`,
    `${notice.hint}\nRun: ${notice.command}`,
  ];
}

/**
 * Claims the right to notify about this situation: the first process to create its marker file
 * wins (`O_EXCL`), so concurrent `token` runs notify once. Markers of earlier situations of the
 * account are removed: a new situation notifies again.
 */
async function claim(home: string, notice: AuthorizationNotice): Promise<boolean> {
  const directory = join(home, MARKERS);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
  const prefix = `${hash(notice.account)}.`;
  const name = `${prefix}${hash(notice.state)}`;
  try {
    await (await open(join(directory, name), 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  for (const entry of await readdir(directory))
    if (entry.startsWith(prefix) && entry !== name) await rm(join(directory, entry), { force: true });
  return true;
}

// The supervisor of a hook, run by a detached Node.js so that the command that noticed never
// waits: it runs the hook, kills it (and its children) after the timeout, and logs failures.
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const [argv, log, label, timeout] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3], Number(process.argv[4])];
const note = (text) => { try { appendFileSync(log, new Date().toISOString() + ' ' + label + ': ' + text + '\\n', { mode: 0o600 }); } catch {} };
let stderr = '';
let timedOut = false;
const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
child.stderr.on('data', (chunk) => { if (stderr.length < 2000) stderr += chunk; });
const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); } }, timeout);
child.on('error', (error) => { clearTimeout(timer); note('the notify command ' + JSON.stringify(argv[0]) + ' could not run: ' + (error.code || error.message)); });
child.on('close', (code, signal) => {
  clearTimeout(timer);
  if (timedOut) note('the notify command ran longer than ' + timeout / 1000 + ' s and was killed');
  else if (code !== 0) note('the notify command exited with ' + (code === null ? signal : code) + (stderr ? ': ' + stderr.trim().slice(-500) : ''));
});
`;

async function logFailure(home: string, notice: AuthorizationNotice, problem: string): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    await appendFile(
      join(home, NOTIFY_LOG),
      `${new Date().toISOString()} ${notice.account} (${notice.reason}): ${problem}\n`,
      { mode: 0o600 },
    );
  } catch {
    // Nowhere left to report it: a notification must never fail the command.
  }
}

/**
 * Runs the notify hook for a notice, detached: it returns once the hook is started (a few ms),
 * never waits for it, and never throws. Once per account and situation; failures of the hook (or
 * of a bad settings file) go to `notify.log` under the home directory. The hook gets
 * `OAUTH_AUTHORIZER_ACCOUNT`, `OAUTH_AUTHORIZER_REASON`, `OAUTH_AUTHORIZER_HINT` and
 * `OAUTH_AUTHORIZER_COMMAND` in its environment.
 *
 * @example
 * ```ts
 * await notifyAuthorizationNeeded(context.home, context.env, notice);
 * ```
 */
export async function notifyAuthorizationNeeded(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  notice: AuthorizationNotice,
): Promise<void> {
  try {
    const argv = await hookFor(home, env, notice);
    if (argv === undefined || !(await claim(home, notice))) return;
    const child = spawn(
      process.execPath,
      [
        '-e',
        SUPERVISOR,
        JSON.stringify(argv),
        join(home, NOTIFY_LOG),
        `${notice.account} (${notice.reason})`,
        String(NOTIFY_TIMEOUT_MS),
      ],
      {
        detached: true,
        stdio: 'ignore',
        env: {
          ...env,
          OAUTH_AUTHORIZER_ACCOUNT: notice.account,
          OAUTH_AUTHORIZER_REASON: notice.reason,
          OAUTH_AUTHORIZER_HINT: notice.hint,
          OAUTH_AUTHORIZER_COMMAND: notice.command,
        },
      },
    );
    child.on(
      'error',
      (error) => void logFailure(home, notice, `could not start the notifier: ${error.message}`),
    );
    child.unref();
  } catch (error) {
    await logFailure(home, notice, error instanceof Error ? error.message : String(error));
  }
}

/**
 * Notifies about an account's stored state when it needs authorization or nears a known limit;
 * nothing otherwise. Never throws.
 *
 * @example
 * ```ts
 * await notifyForRecord(context.home, context.env, await store.get('work'));
 * ```
 */
export async function notifyForRecord(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  record: StoredAccount | undefined,
): Promise<void> {
  if (!record) return;
  const notice = noticeOf(record, assessAccountHealth(record));
  if (notice) await notifyAuthorizationNeeded(home, env, notice);
}

/**
 * After a command failed with "authorization needed" (exit code 3): notifies about the account it
 * was given, if the stored record says it needs authorization. An unknown account (a typo)
 * notifies nothing. Never throws.
 *
 * @example
 * ```ts
 * await notifyAfterFailure(home, process.env, ['me@gmail.com', '--min-validity', '300']);
 * ```
 */
export async function notifyAfterFailure(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): Promise<void> {
  // The account is the first argument that names a stored account: option values come first
  // sometimes (`token --min-validity 300 work`), and are not accounts.
  try {
    const { openTokenStore } = await import('./account-store.js');
    const store = openTokenStore({ home, platform: process.platform });
    for (const arg of args.slice(0, 8)) {
      if (arg === '--') break;
      if (arg.startsWith('-')) continue;
      const record = await store.get(arg).catch(() => undefined);
      if (record) return await notifyForRecord(home, env, record);
    }
  } catch {
    // Nothing to notify about: the command has reported its own error.
  }
}
