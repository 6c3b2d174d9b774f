import { RedisScript, WRITE_ENTRY } from './redis-scripts.js';

/**
 * The Lua scripts behind `RedisStorage`'s indexes (docs/storage.md, "Indexes"). An index is a hash under
 * `prefix + "idx:" + index`: one field per member, the member's entry key (without the prefix), whose
 * value is the join token, the version of the write that filed it. Entries record the index they are filed
 * under in their `index` field.
 *
 * Two sets. The one-step scripts touch the index and its members' entries in one script: atomic and one
 * round trip, on one server, or on a cluster when the prefix has a hash tag (every key in one slot). The
 * cluster steps each touch one key, for a cluster whose entries spread over the slots; redis-indexes.ts
 * says how they are ordered so that no live entry is ever outside its index.
 */

/** Extends the TTL of `key` to `ms` unless it already lives longer: an index outlives each member's deadline. */
const EXTEND = `
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/**
 * Whether the entry under `key` refuses an indexed write of `version`: it is a revoked entry's tombstone
 * (a hash with no value), or a listing or revocation found the membership that write filed already dropped.
 */
const FENCED = `
local function fenced(key, version)
  local entry = redis.call('HMGET', key, 'value', 'fence:' .. version)
  return (entry[1] == false and redis.call('EXISTS', key) == 1) or entry[2] ~= false
end
`;

/**
 * KEYS: entry, join index, leave index (optional). ARGV: value, new version, ttl ms, max ms, condition,
 * expected version, member, join index name. Writes, files and unfiles in one step; nothing when the
 * condition fails. Returns 1 when written.
 */
const WRITE_INDEXED = `${WRITE_ENTRY}${EXTEND}
if not write_entry(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[8]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[7], ARGV[2])
extend(KEYS[2], tonumber(ARGV[4]))
if KEYS[3] and KEYS[3] ~= KEYS[2] then redis.call('HDEL', KEYS[3], ARGV[7]) end
return 1
`;

/** KEYS: entry, index. ARGV: expected version or '', member. Deletes and unfiles in one step. Returns 1 when deleted. */
const INVALIDATE_INDEXED = `
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[2])
return 1
`;

/** KEYS: index. ARGV: prefix. Returns { member, value, version, pttl } per live member; drops the others. */
const LIST_INDEX = `
local found = {}
for _, member in ipairs(redis.call('HKEYS', KEYS[1])) do
  local key = ARGV[1] .. member
  local entry = redis.call('HMGET', key, 'value', 'version')
  if entry[1] then
    table.insert(found, { member, entry[1], entry[2], redis.call('PTTL', key) })
  else
    redis.call('HDEL', KEYS[1], member)
  end
end
return found
`;

/** KEYS: index. ARGV: prefix, then the members to keep. Deletes every other member's entry and membership; returns the members deleted. */
const REVOKE_INDEX = `
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
local revoked = {}
for _, member in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not keep[member] then
    if redis.call('DEL', ARGV[1] .. member) == 1 then table.insert(revoked, member) end
    redis.call('HDEL', KEYS[1], member)
  end
end
return revoked
`;

/** Cluster step 1 of an indexed write, on the index's slot. KEYS: index. ARGV: member, join token, max ms. */
const JOIN = `${EXTEND}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
extend(KEYS[1], tonumber(ARGV[3]))
return 1
`;

/**
 * Cluster step 2 of an indexed write, on the entry's slot. KEYS: entry. ARGV: as WRITE_INDEXED's first six,
 * then the index name. Refused when fenced. Returns 1 when written.
 */
const WRITE_FILED = `${WRITE_ENTRY}${FENCED}
if fenced(KEYS[1], ARGV[2]) then return 0 end
if write_entry(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]) then return 1 end
return 0
`;

/**
 * Cluster step 2 of a listing or a revocation, once per member, on the entry's slot. KEYS: entry. ARGV:
 * index name, join token, 'list' or 'revoke', fence ms. A live entry filed under the index is returned as
 * { value, version, pttl } ('list'), or deleted, leaving a tombstone for `fence ms`, and returned as 1
 * ('revoke'). Any other member is dead to this index: the write that filed it with this token is fenced off
 * (on a tombstone when there is no entry), so it cannot land after the membership is dropped. Returns 0 then.
 */
const INSPECT = `
local entry = redis.call('HMGET', KEYS[1], 'value', 'version', 'index')
if entry[1] and entry[3] == ARGV[1] then
  if ARGV[3] == 'list' then return { entry[1], entry[2], redis.call('PTTL', KEYS[1]) } end
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'fence:' .. ARGV[2], 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 1
end
redis.call('HSET', KEYS[1], 'fence:' .. ARGV[2], 1)
if not entry[1] then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 0
`;

/** Cluster step 3, on the index's slot. KEYS: index. ARGV: member, token pairs. Drops each membership still filed with that token. */
const DROP = `
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1
`;

export const writeIndexedScript = new RedisScript(WRITE_INDEXED);
export const invalidateIndexedScript = new RedisScript(INVALIDATE_INDEXED);
export const listIndexScript = new RedisScript(LIST_INDEX);
export const revokeIndexScript = new RedisScript(REVOKE_INDEX);
export const joinScript = new RedisScript(JOIN);
export const writeFiledScript = new RedisScript(WRITE_FILED);
export const inspectScript = new RedisScript(INSPECT);
export const dropScript = new RedisScript(DROP);
