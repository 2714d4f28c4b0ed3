--[[
  Queued counts moved once per script run, not once per prediction: `leave(left, counter)` notes
  that a prediction hash left `queued` (its model's queued count `counter`, a KEYS entry of the
  calling script); `leaveAll(left)` then takes each counter down by what it was noted, in one
  GET and one DECRBY per counter (never below 0). Called only on a transition out of `queued`,
  which the scripts make happen once per prediction, so the count stays exact however often a
  job re-runs.
]]
local function leave(left, counter)
  left[counter] = (left[counter] or 0) + 1
end
local function leaveAll(left)
  for counter, n in pairs(left) do
    local current = tonumber(redis.call('GET', counter) or '0')
    if current > 0 then redis.call('DECRBY', counter, math.min(current, n)) end
  end
end
