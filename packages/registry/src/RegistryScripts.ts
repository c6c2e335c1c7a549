import { createHash } from 'node:crypto';

/**
 * Lua scripts that make every read-check-write of the registry atomic in Redis. Times come from the
 * Redis server clock (TIME), so leases do not depend on clock agreement between cluster nodes.
 *
 * Key layout (P = key prefix, default 'rtmpc:'):
 *   P node:<id>       string  node record JSON, PX = node TTL
 *   P nodes           zset    node id -> expiresAt (index for listNodes; pruned lazily)
 *   P stream:<key>    hash    claim: key app name ownerId ownerAddress epoch since leaseUntil info(JSON)
 *                             PEXPIRE = lease + expired-claim grace (an expired lease stays renewable
 *                             by its own epoch until then)
 *   P streams         set     stream keys (index for listStreams; pruned lazily)
 *   P epoch:<key>     string  per-stream epoch counter (INCR). PEXPIRE = lease + grace + epoch retention at
 *                             every claim and renewal, retention at release: it disappears once the stream
 *                             has been gone for the retention period (a day), so names clients made up do
 *                             not accumulate, and an epoch is never reused while it could still be fenced.
 * Scripts touch node keys they compute from the prefix; in Redis Cluster the prefix must contain a hash
 * tag (e.g. '{rtmpc}:') so that every key lives in one slot.
 */

// A claim is live when its lease has not expired AND its owner's node record still exists.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n)
  return string.format('%d', n)
end
local function read_stream(k)
  local flat = redis.call('HGETALL', k)
  if #flat == 0 then return nil, flat end
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h, flat
end
local function is_live(h, now, prefix)
  return tonumber(h.leaseUntil) > now and redis.call('EXISTS', prefix .. 'node:' .. h.ownerId) == 1
end
local function live_or_empty(h, flat, now, prefix)
  if h and is_live(h, now, prefix) then return flat end
  return {}
end
-- An epoch-fenced operation: the claim when 'epoch' still holds it, else nil and the 'lost' reply (with the
-- live claim, if any, so the caller learns who holds the stream now).
local function fenced(k, epoch, prefix)
  local now = now_ms()
  local h, flat = read_stream(k)
  if not h or h.epoch ~= epoch then return nil, { 'lost', live_or_empty(h, flat, now, prefix) }, now end
  return h, nil, now
end
`;

export class RedisScript {
  readonly source: string;
  readonly sha1: string;
  constructor(
    readonly name: string,
    readonly numberOfKeys: number,
    body: string,
  ) {
    this.source = PRELUDE + body;
    this.sha1 = createHash('sha1').update(this.source).digest('hex');
  }
}

// KEYS: node key, nodes zset. ARGV: id, info JSON, ttlMs
export const HEARTBEAT = new RedisScript(
  'heartbeat',
  2,
  `
local now = now_ms()
local ttl = tonumber(ARGV[3])
local record = cjson.decode(ARGV[2])
record.lastSeen = now
record.expiresAt = now + ttl
local json = cjson.encode(record)
redis.call('SET', KEYS[1], json, 'PX', ttl)
redis.call('ZADD', KEYS[2], int(now + ttl), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. int(now))
return json
`,
);

// KEYS: node key, nodes zset. ARGV: id
export const REMOVE_NODE = new RedisScript(
  'removeNode',
  2,
  `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`,
);

// KEYS: nodes zset. ARGV: prefix
export const LIST_NODES = new RedisScript(
  'listNodes',
  1,
  `
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. int(now))
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('GET', ARGV[1] .. 'node:' .. id)
  if json then
    out[#out + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`,
);

// KEYS: stream hash, epoch counter, streams set.
// ARGV: prefix, nodeId, address, app, name, key, info JSON, policy, leaseMs, graceMs, epochRetentionMs
export const CLAIM = new RedisScript(
  'claim',
  3,
  `
local now = now_ms()
local h, flat = read_stream(KEYS[1])
local previous = {}
if h and is_live(h, now, ARGV[1]) then
  if h.ownerId ~= ARGV[2] and ARGV[8] ~= 'takeover' then
    return { 'conflict', flat }
  end
  previous = flat
end
local epoch = redis.call('INCR', KEYS[2])
local lease = tonumber(ARGV[9])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'key', ARGV[6], 'app', ARGV[4], 'name', ARGV[5], 'ownerId', ARGV[2],
  'ownerAddress', ARGV[3], 'epoch', int(epoch), 'since', int(now), 'leaseUntil', int(now + lease), 'info', ARGV[7])
redis.call('PEXPIRE', KEYS[1], lease + tonumber(ARGV[10]))
redis.call('PEXPIRE', KEYS[2], lease + tonumber(ARGV[10]) + tonumber(ARGV[11]))
redis.call('SADD', KEYS[3], ARGV[6])
return { 'claimed', redis.call('HGETALL', KEYS[1]), previous }
`,
);

// KEYS: stream hash, epoch counter. ARGV: prefix, epoch, leaseMs, graceMs, epochRetentionMs
export const RENEW = new RedisScript(
  'renew',
  2,
  `
local h, lost, now = fenced(KEYS[1], ARGV[2], ARGV[1])
if not h then return lost end
local lease = tonumber(ARGV[3])
local lease_until = int(now + lease)
redis.call('HSET', KEYS[1], 'leaseUntil', lease_until)
redis.call('PEXPIRE', KEYS[1], lease + tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[2], lease + tonumber(ARGV[4]) + tonumber(ARGV[5]))
return { 'renewed', lease_until }
`,
);

// KEYS: stream hash, streams set, epoch counter. ARGV: prefix, epoch, key, epochRetentionMs
export const RELEASE = new RedisScript(
  'release',
  3,
  `
local h, lost = fenced(KEYS[1], ARGV[2], ARGV[1])
if not h then return lost end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]))
return { 'released', {} }
`,
);

// KEYS: stream hash. ARGV: prefix, epoch, patch JSON (null removes a field)
export const UPDATE_INFO = new RedisScript(
  'updateInfo',
  1,
  `
local h, lost = fenced(KEYS[1], ARGV[2], ARGV[1])
if not h then return lost end
local info = cjson.decode(h.info)
for k, v in pairs(cjson.decode(ARGV[3])) do
  if v == cjson.null then info[k] = nil else info[k] = v end
end
redis.call('HSET', KEYS[1], 'info', cjson.encode(info))
return { 'updated', redis.call('HGETALL', KEYS[1]) }
`,
);

// KEYS: stream hash. ARGV: prefix
export const LOOKUP = new RedisScript(
  'lookup',
  1,
  `
local now = now_ms()
local h, flat = read_stream(KEYS[1])
return live_or_empty(h, flat, now, ARGV[1])
`,
);

// KEYS: streams set. ARGV: prefix
export const LIST_STREAMS = new RedisScript(
  'listStreams',
  1,
  `
local now = now_ms()
local out = {}
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h, flat = read_stream(ARGV[1] .. 'stream:' .. key)
  if not h then
    redis.call('SREM', KEYS[1], key)
  elseif is_live(h, now, ARGV[1]) then
    out[#out + 1] = flat
  end
end
return out
`,
);
