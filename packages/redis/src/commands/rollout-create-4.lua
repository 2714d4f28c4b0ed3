--[[
  Starts a rollout unless the model has an active one (one at a time per model).

  KEYS:
    KEYS[1]  {prefix}:rollout-active:{model}   id of the active rollout (SET NX)
    KEYS[2]  {prefix}:rollout:{model}:{id}     the rollout hash (json, seq)
    KEYS[3]  {prefix}:rollouts:{model}         ids, newest first
    KEYS[4]  {prefix}:rollout-models           models with an active rollout
  ARGV:
    ARGV[1]  rollout id
    ARGV[2]  rollout JSON
    ARGV[3]  model name
    ARGV[4]  ids kept in the list
  Returns: '' when created, else the id of the active rollout.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local active = redis.call('GET', KEYS[1])
if active then return active end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'json', ARGV[2], 'seq', 1)
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
redis.call('SADD', KEYS[4], ARGV[3])
return ''
