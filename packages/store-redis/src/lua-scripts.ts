import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
  readonly keys: number;
}

function script(keys: number, source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex'), keys };
}

// Every script below runs atomically on the server: that is what makes a record write and its
// index entry one step, and a lock check and the write it guards one step.

/**
 * KEYS: record, index. ARGV: value, account, pttl (`0` = no TTL).
 * Redis does not roll a script back when a command in it fails, so the command that can fail
 * (SADD, on an index key someone replaced with another type) goes first and SET, which replaces a
 * key of any type, last: a failure then leaves nothing written. A plain SET also drops an earlier
 * TTL, which is wanted: the new record decides.
 */
const WRITE_BODY = `
redis.call('SADD', KEYS[2], ARGV[2])
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`;

/** Writes a record and adds the account to the index. */
export const WRITE_RECORD = script(2, WRITE_BODY);

/**
 * KEYS: record, index, lock. ARGV: value, account, pttl, lock token, what the holder saw
 * (`none`: nothing read under the lock; `absent`: no record; `sha`: a record with SHA-1 ARGV[6]).
 *
 * Returns 1 when written, 0 when refused. The write goes through when the lock is still ours, or
 * when it is not but the record is exactly what we read while it was: then nobody wrote since,
 * and our write (typically a just-rotated refresh token) is the newest state and must not be
 * dropped. Otherwise another holder wrote newer tokens, and ours must not overwrite them.
 */
export const WRITE_RECORD_FENCED = script(
  3,
  `
if redis.call('GET', KEYS[3]) ~= ARGV[4] then
  local current = redis.call('GET', KEYS[1])
  local unchanged = (ARGV[5] == 'absent' and current == false)
    or (ARGV[5] == 'sha' and current ~= false and redis.sha1hex(current) == ARGV[6])
  if not unchanged then return 0 end
end
${WRITE_BODY}`,
);

/**
 * KEYS: record, lock. ARGV: lock token.
 * Returns { value or false, 1 if the lock is ours, SHA-1 of the value or '' }: a read under the
 * lock that knows whether the lock was still held when the value was read.
 */
export const READ_RECORD_LOCKED = script(
  2,
  `
local value = redis.call('GET', KEYS[1])
local ours = 0
if redis.call('GET', KEYS[2]) == ARGV[1] then ours = 1 end
local sha = ''
if value then sha = redis.sha1hex(value) end
return { value, ours, sha }
`,
);

/** KEYS: record, index. ARGV: account. Deletes the record and its index entry (SREM first, see WRITE_BODY). */
export const DELETE_RECORD = script(
  2,
  `
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
`,
);

/**
 * KEYS: index. ARGV: record key prefix.
 * The index names every account written; a record that expired (TTL) leaves its name behind,
 * which is dropped here, in the same atomic step that checks it, so a concurrent write that
 * re-adds the name cannot be undone.
 */
export const LIST_ACCOUNTS = script(
  1,
  `
local live = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. name) == 1 then
    table.insert(live, name)
  else
    redis.call('SREM', KEYS[1], name)
  end
end
return live
`,
);

/**
 * KEYS: lock. ARGV: token, lease (ms).
 * Returns { 1, 0 } when taken, else { 0, the holder's remaining lease in ms }, in one round trip
 * so that a waiter knows how long it may have to wait.
 */
export const ACQUIRE_LOCK = script(
  1,
  `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return { 1, 0 } end
return { 0, redis.call('PTTL', KEYS[1]) }
`,
);

/** KEYS: lock. ARGV: token, lease (ms). Extends the lease only if the lock is still ours. */
export const RENEW_LOCK = script(
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
);

/** KEYS: lock. ARGV: token. Deletes the lock only if it is still ours, never a later holder's. */
export const RELEASE_LOCK = script(
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/** Runs `lua` by its SHA-1, loading it with EVAL the first time a server sees it (or after a restart). */
export async function runScript(
  redis: Redis,
  lua: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, lua.keys, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await redis.eval(lua.source, lua.keys, ...keys, ...args);
  }
}
