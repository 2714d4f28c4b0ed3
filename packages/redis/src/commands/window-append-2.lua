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

  The window's state is read once and written once per call (not four commands per item: those
  were 4 of the ~17 Redis commands of each iris prediction); items that stay in the open window
  are pushed together.
]]
local size, maxAge, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local meta = redis.call('HMGET', KEYS[2], 'rows', 'startedAt')
local rows = tonumber(meta[1]) or 0
local started = tonumber(meta[2])
-- Items of earlier calls may wait in the list (a window holds rows ≥ 0 per item, so look at both fields).
local listed = meta[1] ~= false or meta[2] ~= false
local pending = {}
local closed = {}
for i = 4, #ARGV, 2 do
  pending[#pending + 1] = ARGV[i]
  rows = rows + tonumber(ARGV[i + 1])
  if started == nil then started = now end
  if (size > 0 and rows >= size) or (maxAge > 0 and now - started >= maxAge) then
    local items = pending
    if listed then
      items = redis.call('LRANGE', KEYS[1], 0, -1)
      for _, item in ipairs(pending) do items[#items + 1] = item end
      redis.call('DEL', KEYS[1])
      listed = false
    end
    closed[#closed + 1] = { redis.call('HINCRBY', KEYS[2], 'seq', 1), started, items }
    pending = {}
    rows = 0
    started = nil
  end
end
if #pending > 0 then
  -- unpack has a stack limit: push in chunks.
  for first = 1, #pending, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(pending, first, math.min(first + 999, #pending)))
  end
  redis.call('HSET', KEYS[2], 'rows', rows, 'startedAt', started)
elseif #closed > 0 then
  redis.call('HDEL', KEYS[2], 'rows', 'startedAt')
end
return closed
