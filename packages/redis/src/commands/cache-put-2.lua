--[[
  Stores one prediction cache entry and keeps the version's cache within its bound: the entry's
  index holds every live entry by insertion time, and the insert that makes it exceed
  `maxEntries` deletes the oldest entries, so the cache never relies on Redis eviction (the
  embedded Redis runs `noeviction`). Index members whose entry expired (older than the TTL) are
  dropped first. Eviction per call is bounded by how far the index is over `maxEntries`: one entry
  in steady state, more only after `maxEntries` was lowered.

  KEYS:
    KEYS[1]  {prefix}:cache:{model}:{version}:{sha256}   the entry (hash)
    KEYS[2]  {prefix}:cache-index:{model}:{version}      zset: entry key → insertion time (ms)
  ARGV:
    ARGV[1]  TTL, seconds
    ARGV[2]  maxEntries
    ARGV[3]  now (epoch ms)
    ARGV[4]  r: result JSON without its per-request `id`
    ARGV[5]  o: output summary JSON for the prediction log ('' = none)
    ARGV[6]  `(<now − TTL in ms>`: exclusive score bound below which index members have expired
  Returns: how many entries it evicted.
  Cluster: evicted entries are named by the index, not by KEYS; they share its key prefix, so with
  a hash-tagged prefix (`{inferq}`) they live in the index's hash slot.
]]
local ttl, maxEntries, now = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('DEL', KEYS[1])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'r', ARGV[4], 'o', ARGV[5])
else
  redis.call('HSET', KEYS[1], 'r', ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
local evicted = 0
local excess = redis.call('ZCARD', KEYS[2]) - maxEntries
while excess > 0 do
  -- In chunks: unpack() of very many values would overflow Lua's stack.
  local oldest = redis.call('ZRANGE', KEYS[2], 0, math.min(excess, 1000) - 1)
  redis.call('DEL', unpack(oldest))
  redis.call('ZREM', KEYS[2], unpack(oldest))
  evicted = evicted + #oldest
  excess = excess - #oldest
end
-- The index lives as long as its newest entry.
redis.call('EXPIRE', KEYS[2], ttl)
return evicted
