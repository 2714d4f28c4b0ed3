--[[
  Writes the final records of shadow predictions (mirrors of a primary on another version): like
  finish.lua, first final write wins, but nothing is published (a shadow's result never reaches a
  client), and the outcome is copied into the primary's record as its `shadow` field. When the
  primary has completed already, its version and result are returned, so the caller compares the
  pair (finish.lua returns the shadow's when the primary ends second: each pair is seen once).

  KEYS (3 per shadow, any number of shadows):
    KEYS[3i-2]  {prefix}:prediction:{shadowId}   the shadow's own prediction hash
    KEYS[3i-1]  {prefix}:queued-shadow:{model}   its model's queued shadow count
    KEYS[3i]    {prefix}:prediction:{primaryId}  the primary's prediction hash
  ARGV:
    per shadow: TTL ('0' = keep), final status, the final event JSON (see
    includes/write-final.lua), the ShadowOutcome JSON for the primary
  Returns: {written, then per written shadow whose primary completed: its index (1-based, in call
  order), the primary's `final` JSON (false for a record a cache hit created), its `version` and
  `result` fields (false unless a cache hit created it)}.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
--- @include "is-final"
--- @include "leave-queue"
--- @include "write-final"
local a, left = 1, {}
local reply = {0}
for i = 1, #KEYS, 3 do
  if writeFinal(KEYS[i], KEYS[i + 1], left, a) then
    reply[1] = reply[1] + 1
    local primary = redis.call('HMGET', KEYS[i + 2], 'status', 'final', 'version', 'result')
    -- A primary gone (expired) is not recreated as a partial record.
    if primary[1] then
      redis.call('HSET', KEYS[i + 2], 'shadow', ARGV[a + 3])
      if primary[1] == 'completed' then
        reply[#reply + 1] = (i + 2) / 3
        reply[#reply + 1] = primary[2]
        reply[#reply + 1] = primary[3]
        reply[#reply + 1] = primary[4]
      end
    end
  end
  a = a + 4
end
leaveAll(left)
return reply
