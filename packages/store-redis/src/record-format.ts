import { type StoredAccount, tokenSetFromJSON, tokenSetToJSON } from '@oauth-authorizer/core';

/** The version of the record format this code writes and reads. */
export const RECORD_FORMAT_VERSION = 1;

/**
 * Checks an account name given to the store: a non-empty string without control characters (the
 * rule every store shares; Redis keys could hold anything, but a name must stay printable in
 * messages and on the command line).
 *
 * @throws {TypeError} for anything else.
 */
export function checkAccountName(account: unknown): asserts account is string {
  if (typeof account !== 'string' || account.length === 0)
    throw new TypeError('account name must be a non-empty string');
  if (/[\u0000-\u001f\u007f]/.test(account))
    throw new TypeError('account name must not contain control characters');
}

/**
 * Checks the shape of a record given to `set()`, so that a programming mistake fails at once
 * instead of writing something `get()` cannot read back.
 *
 * @throws {TypeError} naming the field that is wrong.
 */
export function checkRecord(record: unknown): asserts record is StoredAccount {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object');
  const { account, tokens, authorizationRequired, settings } = record as Record<string, unknown>;
  checkAccountName(account);
  if (tokens !== undefined) {
    if (typeof tokens !== 'object' || tokens === null)
      throw new TypeError('record "tokens" must be an object');
    const { accessToken, tokenType, obtainedAt, extra } = tokens as Record<string, unknown>;
    if (typeof accessToken !== 'string' || accessToken === '')
      throw new TypeError('record "tokens.accessToken" must be a non-empty string');
    if (typeof tokenType !== 'string') throw new TypeError('record "tokens.tokenType" must be a string');
    if (typeof obtainedAt !== 'number' || !Number.isFinite(obtainedAt))
      throw new TypeError('record "tokens.obtainedAt" must be a number');
    if (typeof extra !== 'object' || extra === null)
      throw new TypeError('record "tokens.extra" must be an object');
  }
  if (authorizationRequired !== undefined) {
    const { since, reason } = (authorizationRequired ?? {}) as Record<string, unknown>;
    if (typeof since !== 'number' || typeof reason !== 'string')
      throw new TypeError('record "authorizationRequired" must be { since: number, reason: string }');
  }
  if (
    settings !== undefined &&
    (typeof settings !== 'object' || settings === null || Array.isArray(settings))
  )
    throw new TypeError('record "settings" must be an object');
}

/**
 * Serialises a record as JSON with wire names and ISO 8601 dates, the same shape as core's token
 * files, so a record can be moved between the file store and Redis by hand:
 *
 * ```json
 * { "version": 1, "account": "me@example.com",
 *   "tokens": { "access_token": "…", "token_type": "Bearer", "expires_at": "…", "refresh_token": "…", "obtained_at": "…" },
 *   "authorization_required": { "since": "…", "reason": "invalid_grant" },
 *   "settings": { … } }
 * ```
 */
export function recordToJSON(record: StoredAccount): string {
  const json: Record<string, unknown> = { version: RECORD_FORMAT_VERSION, account: record.account };
  if (record.tokens) json.tokens = tokenSetToJSON(record.tokens);
  if (record.authorizationRequired) {
    json.authorization_required = {
      since: new Date(record.authorizationRequired.since).toISOString(),
      reason: record.authorizationRequired.reason,
    };
  }
  if (record.settings) json.settings = record.settings;
  return JSON.stringify(json);
}

/**
 * Reads what {@link recordToJSON} wrote. Every problem becomes `corrupt(problem)`, where `problem`
 * never quotes the value: JSON.parse's own message shows its first characters, i.e. a token.
 */
export function recordFromJSON(
  text: string,
  account: string,
  corrupt: (problem: string) => Error,
): StoredAccount {
  return recordFromObject(parseJSON(text, corrupt), account, corrupt);
}

/**
 * Parses stored JSON text. JSON.parse's own message would quote the text, so the problem only
 * gives its length.
 */
export function parseJSON(text: string, corrupt: (problem: string) => Error): unknown {
  if (text.trim() === '') throw corrupt('the value is empty');
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(`not valid JSON (${text.length} characters)`);
  }
}

/** Reads a record from its parsed JSON (see {@link recordFromJSON}). */
export function recordFromObject(
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
    settings,
  } = json as Record<string, unknown>;
  if (version !== RECORD_FORMAT_VERSION)
    throw corrupt(`"version" must be ${RECORD_FORMAT_VERSION}, got ${JSON.stringify(version) ?? 'nothing'}`);
  // The key decides the account; a value copied under another account's key would make two
  // accounts share one rotating refresh token, and each refresh would break the other.
  if (stored !== account)
    throw corrupt(
      `it holds account ${JSON.stringify(stored) ?? 'nothing'}, expected ${JSON.stringify(account)}`,
    );
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
