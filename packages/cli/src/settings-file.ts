import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_SETTINGS_INVALID, cliError } from './errors.js';

/** The settings file's name under the CLI's home directory. */
export const SETTINGS_FILE = 'config.json';

/** What `config.json` holds. */
export interface CliSettings {
  /**
   * The command run when an account needs authorization, as an argv array (no shell): e.g.
   * `["notify-send", "OAuth"]`. `null` turns notifications off; absent: the default
   * (`notify-send` in a desktop session).
   */
  notify?: string[] | null;
  /**
   * Where new accounts keep their refresh token and saved client secret: `file` (the account file,
   * the default) or `keyring` (the OS keyring). `authorize --store` chooses for one account, and
   * an account already stored keeps its place.
   */
  store?: 'file' | 'keyring';
}

/** The settings a file may hold, and what each takes (for messages). */
const KNOWN: Record<keyof CliSettings, string> = {
  notify: 'an array of strings (the command and its arguments), or null',
  store: '"file" or "keyring"',
};

/**
 * The path of the settings file under `home`.
 *
 * @example
 * ```ts
 * settingsPath('/home/me/.config/oauth-authorizer'); // '/home/me/.config/oauth-authorizer/config.json'
 * ```
 */
export function settingsPath(home: string): string {
  return join(home, SETTINGS_FILE);
}

function invalid(path: string, problem: string): Error {
  return cliError(CLI_SETTINGS_INVALID, `the settings file ${path} ${problem}`, {
    hint: 'fix or delete it; set values with: oauth-authorizer config set notify <command> [<argument>…], or config set store file|keyring',
  });
}

/**
 * Checks settings, as read from the file or about to be written.
 *
 * @throws {AuthorizerError} `CLI_SETTINGS_INVALID` naming the setting and what it got.
 *
 * @example
 * ```ts
 * validateSettings({ notify: ['notify-send', 'OAuth'] }, '/home/me/.config/oauth-authorizer/config.json');
 * ```
 */
export function validateSettings(value: unknown, path: string): CliSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(path, 'must hold a JSON object');
  for (const key of Object.keys(value))
    if (!Object.hasOwn(KNOWN, key))
      throw invalid(path, `has an unknown setting "${key}" (known: ${Object.keys(KNOWN).join(', ')})`);
  const { notify, store } = value as Record<string, unknown>;
  if (store !== undefined && store !== 'file' && store !== 'keyring')
    throw invalid(path, `has "store" = ${JSON.stringify(store).slice(0, 80)}: it must be ${KNOWN.store}`);
  if (
    notify !== undefined &&
    notify !== null &&
    (!Array.isArray(notify) ||
      notify.length === 0 ||
      notify.some((part) => typeof part !== 'string') ||
      notify[0] === '')
  )
    throw invalid(
      path,
      `has "notify" = ${JSON.stringify(notify).slice(0, 80)}: it must be ${KNOWN.notify}, the first not empty`,
    );
  return value as CliSettings;
}

/**
 * Reads and validates `config.json` under `home`; `{}` when there is none.
 *
 * @throws {AuthorizerError} `CLI_SETTINGS_INVALID` for a file that is not JSON or has a wrong value.
 *
 * @example
 * ```ts
 * const { notify } = await readSettings(context.home);
 * ```
 */
export async function readSettings(home: string): Promise<CliSettings> {
  const path = settingsPath(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw invalid(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(path, 'is not valid JSON');
  }
  return validateSettings(parsed, path);
}

/**
 * Writes `config.json` under `home` atomically (temporary file, fsync, rename), mode 0600.
 *
 * @throws {AuthorizerError} `CLI_SETTINGS_INVALID` for settings that do not validate.
 *
 * @example
 * ```ts
 * await writeSettings(context.home, { notify: ['notify-send', 'OAuth'] });
 * ```
 */
export async function writeSettings(home: string, settings: CliSettings): Promise<void> {
  const path = settingsPath(home);
  validateSettings(settings, path);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(settings, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
