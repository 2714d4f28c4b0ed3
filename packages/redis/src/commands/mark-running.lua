--[[
  Marks the predictions of a batch that has been running a while `running`: queued | running →
  running; anything else (final, or the record gone) is left alone, so a re-run of a job whose
  prediction already ended never moves it back.

  KEYS (2 per prediction, any number of predictions):
    KEYS[2i-1]  {prefix}:prediction:{id}   the prediction hash
    KEYS[2i]    {prefix}:queued:{model}    its model's queued count
  ARGV:
    ARGV[1]     worker identity JSON
  Returns: how many were marked.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
--- @include "leave-queue"
local marked, left = 0, {}
for i = 1, #KEYS, 2 do
  local key = KEYS[i]
  local status = redis.call('HGET', key, 'status')
  if status == 'queued' or status == 'running' then
    if status == 'queued' then leave(left, KEYS[i + 1]) end
    redis.call('HSET', key, 'status', 'running', 'worker', ARGV[1])
    marked = marked + 1
  end
end
leaveAll(left)
return marked
