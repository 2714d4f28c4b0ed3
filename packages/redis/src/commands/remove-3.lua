#!lua flags=allow-oom
--[[
  Deletes a record whose job could not be queued (and its claim-check payload), counting it out
  of `queued`.

  KEYS:
    KEYS[1]  {prefix}:prediction:{id}   the prediction hash
    KEYS[2]  {prefix}:payload:{id}      its claim-check payload
    KEYS[3]  {prefix}:queued:{model}    its model's queued count
  ARGV: none
  Returns: how many keys were deleted.
  Runs when Redis is out of memory too (allow-oom): it frees memory, and it cleans up after a
  submit that Redis refused half-way (record written, job refused).
  Cluster: all keys start with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
--- @include "leave-queue"
if redis.call('HGET', KEYS[1], 'status') == 'queued' then
  local left = {}
  leave(left, KEYS[3])
  leaveAll(left)
end
return redis.call('DEL', KEYS[1], KEYS[2])
