--[[
  The final write of one prediction hash, shared by finish.lua and finish-shadow.lua (include
  "is-final" and "leave-queue" before this). The record's ARGV entries start at `a`:
    ARGV[a]     TTL to set, seconds; '0' keeps the TTL it has (the record was created with some
                spare, see PredictionStore: most predictions end well within it)
    ARGV[a+1]   the final status
    ARGV[a+2]   the final event JSON: stored as the record's `final` field (its result, error,
                timings and worker; the identity fields stay as created)
  A record already final is left alone: the first final write wins. One leaving `queued` is
  noted in `left` (see leave-queue). Returns whether it was written, and the record's `shadow`
  field (the shadow's outcome, when a shadow ended first; false when none).
]]
local function writeFinal(key, counter, left, a)
  local found = redis.call('HMGET', key, 'status', 'shadow')
  local status = found[1]
  if status and FINAL[status] then return false, false end
  if status == 'queued' then leave(left, counter) end
  redis.call('HSET', key, 'status', ARGV[a + 1], 'final', ARGV[a + 2])
  if ARGV[a] ~= '0' then redis.call('EXPIRE', key, ARGV[a]) end
  return true, found[2]
end
