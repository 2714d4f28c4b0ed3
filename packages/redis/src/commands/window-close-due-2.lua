--[[
  Closes the open monitoring window of a version when its first item is `maxAge` old.

  KEYS:
    KEYS[1]  {prefix}:monitor:window:{kind}:{model}:{version}        list of item JSON
    KEYS[2]  {prefix}:monitor:window-meta:{kind}:{model}:{version}   hash: rows, startedAt, seq
  ARGV:
    ARGV[1]  maxAge (ms)
    ARGV[2]  now (epoch ms)
  Returns: {seq, startedAt, items} of the closed window, or false when none closed.
  Cluster: both keys start with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local started = redis.call('HGET', KEYS[2], 'startedAt')
if not started or tonumber(ARGV[2]) - tonumber(started) < tonumber(ARGV[1]) then return false end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], 'rows', 'startedAt')
if #items == 0 then return false end
return { redis.call('HINCRBY', KEYS[2], 'seq', 1), tonumber(started), items }
