import { createHash } from 'node:crypto';
import { freshRandomBytes } from '../random-pool.js';
import type { RedisClient } from './redis-client.js';
import type { WriteOptions } from './storage.js';
import { entryLifetime } from './ttl.js';
import { writeCondition } from './write-condition.js';

/**
 * The Lua scripts behind `RedisStorage`. Each of these touches exactly one key (`KEYS[1]`), so it runs
 * atomically on the node owning that key's slot: safe on a Redis Cluster. Each is one round trip. The
 * index scripts are in redis-index-scripts.ts.
 *
 * An entry is a hash: `value`, `version`, `deadline` (epoch milliseconds by Redis's own clock, set
 * when the session has an absolute lifetime) and `index` (the index it is filed under, if any). The key's TTL is the idle expiry; no slide passes the
 * deadline, and a slide that would leave no time deletes the key instead (security.md #52).
 */

/** `redis.call('TIME')` in epoch milliseconds: Redis's clock, the one its TTLs run on. */
const NOW_MS = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

/**
 * Sets the key's TTL to `ttl` ms, never past `deadline`, when that moves the expiry later by `touch_after` ms
 * or more (the TTL is where the last slide is recorded: closer slides write nothing, no `PEXPIRE` to
 * replicate); deletes the key when no time is left.
 */
const SLIDE = `${NOW_MS}
local function slide(key, ttl, deadline, touch_after)
  if deadline then
    local left = tonumber(deadline) - now_ms()
    if left < ttl then ttl = left end
  end
  if ttl <= 0 then
    redis.call('DEL', key)
    return false
  end
  if ttl - redis.call('PTTL', key) >= touch_after then redis.call('PEXPIRE', key, ttl) end
  return true
end
`;

/**
 * ARGV: slide ms, or '' to read only; touch-after ms. Returns { value, version } or nil. A read that does not
 * slide is a plain HMGET where that reaches the master (redis.ts).
 */
const READ = `${SLIDE}
local entry = redis.call('HMGET', KEYS[1], 'value', 'version', 'deadline')
if not entry[1] then return false end
if ARGV[1] ~= '' and not slide(KEYS[1], tonumber(ARGV[1]), entry[3], tonumber(ARGV[2])) then return false end
return { entry[1], entry[2] }
`;

/**
 * Writes an entry when `condition` ('always' | 'absent' | 'version') holds against `expected` (`absent` is
 * `SET NX` for a hash), and returns whether it did. `index`, when given, is the index the entry is now filed
 * under; without it the entry keeps the one it had, so a plain write of an indexed entry stays filed.
 */
export const WRITE_ENTRY = `${NOW_MS}
local function write_entry(key, value, version, ttl, max, condition, expected, index)
  if condition == 'absent' then
    if redis.call('EXISTS', key) == 1 then return false end
  elseif condition == 'version' then
    if redis.call('HGET', key, 'version') ~= expected then return false end
  end
  local filed = index or redis.call('HGET', key, 'index')
  redis.call('DEL', key)
  if max == '' then
    redis.call('HSET', key, 'value', value, 'version', version)
  else
    redis.call('HSET', key, 'value', value, 'version', version, 'deadline', string.format('%d', now_ms() + tonumber(max)))
  end
  if filed then redis.call('HSET', key, 'index', filed) end
  redis.call('PEXPIRE', key, ttl)
  return true
end
`;

/**
 * ARGV: value, new version, ttl ms, max ms or '', condition, expected version. The check and the write
 * cannot interleave with another client's. Returns 1 when written, 0 when the condition failed.
 */
const WRITE = `${WRITE_ENTRY}
if write_entry(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], nil) then return 1 end
return 0
`;

/**
 * The new version and the ARGV that WRITE and the indexed writes start with, for a write of `value`; throws
 * before anything is sent when the options contradict each other.
 *
 * @example
 * const { version, args } = writeArguments('text', 60, { ifAbsent: true, maxSeconds: 3600 });
 */
export function writeArguments(value: string, ttlSeconds: number, options: WriteOptions | undefined): { version: string; args: (string | number)[] } {
  const condition = writeCondition(options);
  const { ttlMs, maxMs } = entryLifetime(ttlSeconds, options?.maxSeconds);
  const version = freshRandomBytes(12).toString('base64url');
  const expected = condition.kind === 'version' ? condition.version : '';
  return { version, args: [value, version, ttlMs, maxMs ?? '', condition.kind, expected] };
}

/** ARGV: expected version. Returns 1 when deleted. */
const INVALIDATE_VERSION = `
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * The lock of `concurrency: serialize`, a string key holding the token of the request that took it.
 * LOCK: ARGV token, ms. Returns 1 when taken, 0 when someone holds it.
 */
const LOCK = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

/** ARGV: token, ms. Moves the expiry only while the token holds the lock. Returns 1 when it does. */
const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** ARGV: token. Compare and delete: a lock that expired and was taken by another request stays. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * A script run by its SHA (`EVALSHA`), sent whole (`EVAL`) only when the server does not know it yet,
 * after a restart or on a node seen for the first time. It leaves the app's client as it was: no
 * `defineCommand` on a client the storage does not own.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script on `keys` (`KEYS`; on a cluster, the node of the first one's slot) with `args` (`ARGV`). */
  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

export const readScript = new RedisScript(READ);
export const writeScript = new RedisScript(WRITE);
export const invalidateVersionScript = new RedisScript(INVALIDATE_VERSION);
export const lockScript = new RedisScript(LOCK);
export const renewLockScript = new RedisScript(RENEW_LOCK);
export const unlockScript = new RedisScript(UNLOCK);
