import type { AuthorizerError } from '../errors.js';
import { tokenSetFromJSON, tokenSetToJSON } from '../token-set.js';
import type { StoredAccount } from '../token-store.js';

/**
 * The version of the token file format this code writes and reads.
 *
 * @example
 * ```ts
 * JSON.parse(text).version === FILE_FORMAT_VERSION;
 * ```
 */
export const FILE_FORMAT_VERSION = 1;

/**
 * Serialises a record as the token file's JSON (wire names, ISO 8601 dates):
 *
 * ```json
 * { "version": 1, "account": "me@example.com",
 *   "tokens": { "access_token": "…", "token_type": "Bearer", "expires_at": "…", "refresh_token": "…", "obtained_at": "…" },
 *   "authorization_required": { "since": "…", "reason": "invalid_grant" },
 *   "settings": { … } }
 * ```
 *
 * @example
 * ```ts
 * await writeFile(temp, recordToFileJSON({ account: 'me@example.com', tokens }));
 * ```
 */
export function recordToFileJSON(record: StoredAccount): string {
  const json: Record<string, unknown> = { version: FILE_FORMAT_VERSION, account: record.account };
  if (record.tokens) json.tokens = tokenSetToJSON(record.tokens);
  if (record.authorizationRequired) {
    json.authorization_required = {
      since: new Date(record.authorizationRequired.since).toISOString(),
      reason: record.authorizationRequired.reason,
    };
  }
  if (record.settings) json.settings = record.settings;
  return `${JSON.stringify(json, null, 2)}\n`;
}

// Shows a stored value in a message without ever quoting much of it.
function shown(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value === undefined ? 'nothing' : `a value of type ${typeof value}`;
}

/**
 * Reads a token file's text. Every problem becomes `corrupt(problem)`, where `problem` describes
 * what is wrong and never quotes the content: JSON.parse's own message would show the first
 * characters of the file, i.e. of a token.
 *
 * @example
 * ```ts
 * const record = recordFromFileJSON(text, 'me@example.com', (problem) => storeCorrupt(path, 'me@example.com', problem));
 * ```
 */
export function recordFromFileJSON(
  text: string,
  account: string,
  corrupt: (problem: string) => AuthorizerError,
): StoredAccount {
  if (text.trim() === '') throw corrupt('the file is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw corrupt(`not valid JSON (${text.length} characters)`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw corrupt('expected a JSON object');
  const {
    version,
    account: stored,
    tokens,
    authorization_required: required,
    settings,
  } = json as Record<string, unknown>;
  if (version !== FILE_FORMAT_VERSION)
    throw corrupt(`"version" must be ${FILE_FORMAT_VERSION}, got ${shown(version)}`);
  // The file name decides the account; a file copied under another name would otherwise make two
  // accounts share one rotating refresh token, and each refresh would break the other.
  if (stored !== account) throw corrupt(`it holds account ${shown(stored)}, expected ${shown(account)}`);
  const record: StoredAccount = { account };
  if (tokens !== undefined) {
    try {
      record.tokens = tokenSetFromJSON(tokens);
    } catch (error) {
      // tokenSetFromJSON's messages name fields, never values.
      throw corrupt(`"tokens": ${(error as Error).message}`);
    }
  }
  if (required !== undefined) {
    const { since, reason } = (required ?? {}) as Record<string, unknown>;
    const ms = typeof since === 'string' ? Date.parse(since) : Number.NaN;
    if (Number.isNaN(ms) || typeof reason !== 'string')
      throw corrupt('"authorization_required" must be { "since": <ISO 8601 date>, "reason": <string> }');
    record.authorizationRequired = { since: ms, reason };
  }
  if (settings !== undefined) {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      throw corrupt('"settings" must be an object');
    record.settings = settings as Record<string, unknown>;
  }
  return record;
}
