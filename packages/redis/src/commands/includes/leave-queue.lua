--[[
  The prediction hash `key` leaves `queued`: one less in its model's queued count `counter` (a
  KEYS entry of the calling script). Called only on a transition out of `queued`, which the
  scripts make happen once per prediction, so the count stays exact however often a job re-runs.
]]
local function leaveQueue(counter)
  if tonumber(redis.call('GET', counter) or '0') > 0 then redis.call('DECR', counter) end
end
