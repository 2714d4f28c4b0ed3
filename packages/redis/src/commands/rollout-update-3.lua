--[[
  Compare-and-set of a rollout: writes the new JSON only if nobody wrote since `seq` was read.
  A final rollout frees the model's active slot and expires after the retention.

  KEYS:
    KEYS[1]  {prefix}:rollout:{model}:{id}     the rollout hash (json, seq)
    KEYS[2]  {prefix}:rollout-active:{model}   id of the active rollout
    KEYS[3]  {prefix}:rollout-models           models with an active rollout
  ARGV:
    ARGV[1]  seq read with the JSON
    ARGV[2]  new rollout JSON
    ARGV[3]  '1' when the new status is final, else '0'
    ARGV[4]  rollout id
    ARGV[5]  model name
    ARGV[6]  retention of a final rollout, seconds
  Returns: the new seq, or 0 when the rollout changed (or is gone) since it was read.
  Cluster: as rollout-create-4.lua.
]]
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq or seq ~= ARGV[1] then return 0 end
local next = tonumber(seq) + 1
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'seq', next)
if ARGV[3] == '1' then
  if redis.call('GET', KEYS[2]) == ARGV[4] then
    redis.call('DEL', KEYS[2])
    redis.call('SREM', KEYS[3], ARGV[5])
  end
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
end
return next
