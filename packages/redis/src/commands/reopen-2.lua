--[[
  failed → queued for an explicit retry: clears the outcome, keeps identity, owner and TTL.

  KEYS:
    KEYS[1]  {prefix}:prediction:{id}   the prediction hash
    KEYS[2]  {prefix}:queued:{model}    its model's queued count
  ARGV: none
  Returns: the status it found (nil when the record is gone).
  Cluster: both keys start with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'failed' then
  redis.call('HDEL', KEYS[1], 'final', 'result', 'error', 'worker', 'timings')
  redis.call('HSET', KEYS[1], 'status', 'queued')
  redis.call('INCR', KEYS[2])
end
return status
