--[[
  Appends items to the open monitoring window of a version and closes it, atomically, once it
  holds `size` rows or its first item is `maxAge` old: several monitors feed the same window, and
  exactly one of them gets each closed window.

  KEYS:
    KEYS[1]  {prefix}:monitor:window:{kind}:{model}:{version}        list of item JSON
    KEYS[2]  {prefix}:monitor:window-meta:{kind}:{model}:{version}   hash: rows, startedAt, seq
  ARGV:
    ARGV[1]  size (rows; 0 = by time only)
    ARGV[2]  maxAge (ms; 0 = by count only)
    ARGV[3]  now (epoch ms)
    then (item JSON, rows) pairs
  Returns: the windows it closed, each {seq, startedAt, items}.
  Cluster: both keys start with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local size, maxAge, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local closed = {}
for i = 4, #ARGV, 2 do
  redis.call('RPUSH', KEYS[1], ARGV[i])
  local rows = redis.call('HINCRBY', KEYS[2], 'rows', tonumber(ARGV[i + 1]))
  redis.call('HSETNX', KEYS[2], 'startedAt', now)
  local started = tonumber(redis.call('HGET', KEYS[2], 'startedAt'))
  if (size > 0 and rows >= size) or (maxAge > 0 and now - started >= maxAge) then
    local items = redis.call('LRANGE', KEYS[1], 0, -1)
    redis.call('DEL', KEYS[1])
    redis.call('HDEL', KEYS[2], 'rows', 'startedAt')
    closed[#closed + 1] = { redis.call('HINCRBY', KEYS[2], 'seq', 1), started, items }
  end
end
return closed
