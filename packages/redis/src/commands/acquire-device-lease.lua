--[[
  Joins the device lease set with the fewest live holders (lowest index on ties), after dropping
  expired leases; a worker already holding one keeps it.

  KEYS (one per device, any number):
    KEYS[i]  {prefix}:device-lease:{device}   zset: member = worker id, score = expiry (epoch ms)
  ARGV:
    ARGV[1]  now (epoch ms)
    ARGV[2]  lease expiry (epoch ms)
    ARGV[3]  worker id
    ARGV[4]  key TTL, ms
  Returns: the 0-based index of the chosen key.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local now = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2])
local member = ARGV[3]
local best, bestCount = nil, nil
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZSCORE', key, member) then
    best = i
    bestCount = -1
    break
  end
  local count = redis.call('ZCARD', key)
  if bestCount == nil or count < bestCount then
    best, bestCount = i, count
  end
end
redis.call('ZADD', KEYS[best], expiry, member)
redis.call('PEXPIRE', KEYS[best], ARGV[4])
return best - 1
