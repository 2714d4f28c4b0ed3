--[[
  Writes each final record and publishes it, unless the record is final already: the first final
  write wins and is announced once; a duplicate (a re-run after a stall, a retried batch) is
  dropped here, before any client could see it.

  KEYS (2 per record, any number of records):
    KEYS[2i-1]  {prefix}:prediction:{id}   the prediction hash
    KEYS[2i]    {prefix}:queued:{model}    its model's queued count
  ARGV:
    ARGV[1]     TTL of a final record, seconds
    ARGV[2]     final-result channel ({prefix}:events:prediction-final)
    then per record: field count n, n field/value strings, the event JSON to publish
  Returns: {written, then per written record that carries a shadow outcome already: its index
  (1-based, in call order) and that outcome JSON}: the primary that ends second sees its shadow's
  result (and finish-shadow.lua the primary's when the shadow ends second), so each pair is
  compared exactly once.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot (PUBLISH is not a key access).
]]
--- @include "leave-queue"
--- @include "is-final"
local ttl, channel, a, written = ARGV[1], ARGV[2], 3, 0
local reply = {0}
for i = 1, #KEYS, 2 do
  local key = KEYS[i]
  local n = tonumber(ARGV[a])
  local status = redis.call('HGET', key, 'status')
  if not (status and FINAL[status]) then
    if status == 'queued' then leaveQueue(KEYS[i + 1]) end
    redis.call('HSET', key, unpack(ARGV, a + 1, a + n))
    redis.call('EXPIRE', key, ttl)
    redis.call('PUBLISH', channel, ARGV[a + n + 1])
    written = written + 1
    local shadow = redis.call('HGET', key, 'shadow')
    if shadow then
      reply[#reply + 1] = (i + 1) / 2
      reply[#reply + 1] = shadow
    end
  end
  a = a + n + 2
end
reply[1] = written
return reply
