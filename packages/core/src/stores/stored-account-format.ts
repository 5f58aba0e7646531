import { type TokenSetJSON, tokenSetFromJSON, tokenSetToJSON } from '../token-set.js';
import type { StoredAccount } from '../token-store.js';

/**
 * The version of the stored-account format that {@link storedAccountToJSON} writes and
 * {@link storedAccountFromJSON} reads; a record of any other version is corrupt.
 *
 * @example
 * ```ts
 * JSON.parse(text).version === STORED_ACCOUNT_FORMAT_VERSION;
 * ```
 */
export const STORED_ACCOUNT_FORMAT_VERSION = 1;

/**
 * A {@link StoredAccount} as stores keep it (core's token files, the Redis store's values): wire
 * names, ISO 8601 dates, the tokens as {@link TokenSetJSON}.
 *
 * @example
 * ```ts
 * const json: StoredAccountJSON = {
 *   version: 1,
 *   account: 'me@example.com',
 *   authorization_required: { since: '2025-01-02T08:00:00.000Z', reason: 'invalid_grant' },
 * };
 * ```
 */
export interface StoredAccountJSON {
  version: typeof STORED_ACCOUNT_FORMAT_VERSION;
  account: string;
  tokens?: TokenSetJSON;
  authorization_required?: { since: string; reason: string };
  /** {@link StoredAccount.lastRefreshError}, with `at` as an ISO 8601 date. */
  last_refresh_error?: { at: string; code: string; message: string };
  settings?: Record<string, unknown>;
}

/**
 * Turns a record into its stored JSON form (see {@link StoredAccountJSON}); how the text is laid
 * out (indented for a file a person may open, compact for Redis) is the store's choice:
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
 * await writeFile(temp, `${JSON.stringify(storedAccountToJSON({ account: 'me@example.com', tokens }), null, 2)}\n`);
 * ```
 */
export function storedAccountToJSON(record: StoredAccount): StoredAccountJSON {
  const json: StoredAccountJSON = { version: STORED_ACCOUNT_FORMAT_VERSION, account: record.account };
  if (record.tokens) json.tokens = tokenSetToJSON(record.tokens);
  if (record.authorizationRequired) {
    json.authorization_required = {
      since: new Date(record.authorizationRequired.since).toISOString(),
      reason: record.authorizationRequired.reason,
    };
  }
  if (record.lastRefreshError) {
    const { at, code, message } = record.lastRefreshError;
    json.last_refresh_error = { at: new Date(at).toISOString(), code, message };
  }
  if (record.settings) json.settings = record.settings;
  return json;
}

/**
 * Parses a store's text. Every problem becomes `corrupt(problem)`, where `problem` gives only the
 * text's length: JSON.parse's own message would quote its first characters, i.e. of a token.
 *
 * @param corrupt Makes the store's own error (naming its file or key) from a description of the problem.
 * @throws whatever `corrupt` returns, for empty text or text that is not JSON.
 * @example
 * ```ts
 * const json = parseStoredJSON(text, (problem) => storeCorrupt(path, problem));
 * ```
 */
export function parseStoredJSON(text: string, corrupt: (problem: string) => Error): unknown {
  if (text.trim() === '') throw corrupt('it is empty');
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(`not valid JSON (${text.length} characters)`);
  }
}

// An ISO 8601 date of a stored field, in ms; NaN for anything else.
function storedDate(value: unknown): number {
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// What a stored value is, for a message about a field that may hold a token: never its content.
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// The account a record names, quoted when it reads as a mail address: a token pasted there by
// mistake (no `@` in RFC 6750's token characters) is described, not shown.
function shownAccount(value: unknown): string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value) ? shown(value) : kindOf(value);
}

// Shows a stored value in a message without ever quoting much of it.
function shown(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value === undefined ? 'nothing' : `a value of type ${typeof value}`;
}

/**
 * Reads a record from its parsed stored JSON (see {@link storedAccountToJSON}) and checks that it
 * belongs to `account`: the store's file name or key decides the account, and a record copied
 * under another name would make two accounts share one rotating refresh token. Every problem
 * becomes `corrupt(problem)`, where `problem` names the field and what is wrong with it (so a
 * person who edited the file by hand finds it), and never quotes a token. Every record it returns
 * passes {@link checkStoredAccount}: what a store reads, it can write back.
 *
 * @param json What {@link parseStoredJSON} returned.
 * @param account The account the store looked the record up for.
 * @param corrupt Makes the store's own error (naming its file or key) from a description of the problem.
 * @throws whatever `corrupt` returns, for anything that is not a version-1 record of `account`.
 * @example
 * ```ts
 * const corrupt = (problem: string) => storeCorrupt(path, problem);
 * const record = storedAccountFromJSON(parseStoredJSON(text, corrupt), 'me@example.com', corrupt);
 * ```
 */
export function storedAccountFromJSON(
  json: unknown,
  account: string,
  corrupt: (problem: string) => Error,
): StoredAccount {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw corrupt('expected a JSON object');
  const {
    version,
    account: stored,
    tokens,
    authorization_required: required,
    last_refresh_error: lastError,
    settings,
  } = json as Record<string, unknown>;
  if (version !== STORED_ACCOUNT_FORMAT_VERSION)
    throw corrupt(
      `"version" must be ${STORED_ACCOUNT_FORMAT_VERSION}, got ${typeof version === 'number' ? version : kindOf(version)}`,
    );
  if (stored !== account)
    throw corrupt(`it holds account ${shownAccount(stored)}, expected ${shown(account)}`);
  const record: StoredAccount = { account };
  if (tokens !== undefined) {
    if (!isObject(tokens)) throw corrupt(`"tokens" must be an object, got ${kindOf(tokens)}`);
    try {
      record.tokens = tokenSetFromJSON(tokens);
    } catch (error) {
      // tokenSetFromJSON's messages name fields, never values.
      throw corrupt(`"tokens": ${(error as Error).message}`);
    }
    if (record.tokens.accessToken === '') throw corrupt('"tokens.access_token" must not be empty');
  }
  if (required !== undefined) {
    const { since, reason } = isObject(required) ? required : {};
    const ms = storedDate(since);
    if (Number.isNaN(ms) || typeof reason !== 'string')
      throw corrupt('"authorization_required" must be { "since": <ISO 8601 date>, "reason": <string> }');
    record.authorizationRequired = { since: ms, reason };
  }
  if (lastError !== undefined) {
    const { at, code, message } = (lastError ?? {}) as Record<string, unknown>;
    const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(ms) || typeof code !== 'string' || typeof message !== 'string')
      throw corrupt(
        '"last_refresh_error" must be { "at": <ISO 8601 date>, "code": <string>, "message": <string> }',
      );
    record.lastRefreshError = { at: ms, code, message };
  }
  if (settings !== undefined) {
    if (!isObject(settings)) throw corrupt(`"settings" must be an object, got ${kindOf(settings)}`);
    record.settings = settings;
  }
  return record;
}
