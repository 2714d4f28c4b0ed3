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
    ARGV[1]     TTL of a final record, seconds
    then per shadow: field count n, n field/value strings, the ShadowOutcome JSON for the primary
  Returns: {written, then per written shadow whose primary completed: its index (1-based, in call
  order), the primary's version, the primary's result JSON}.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
--- @include "leave-queue"
--- @include "is-final"
local ttl, a = ARGV[1], 2
local reply = {0}
for i = 1, #KEYS, 3 do
  local key, primary = KEYS[i], KEYS[i + 2]
  local n = tonumber(ARGV[a])
  local status = redis.call('HGET', key, 'status')
  if not (status and FINAL[status]) then
    if status == 'queued' then leaveQueue(KEYS[i + 1]) end
    redis.call('HSET', key, unpack(ARGV, a + 1, a + n))
    redis.call('EXPIRE', key, ttl)
    reply[1] = reply[1] + 1
    -- A primary gone (expired) is not recreated as a partial record.
    if redis.call('EXISTS', primary) == 1 then
      redis.call('HSET', primary, 'shadow', ARGV[a + n + 1])
      if redis.call('HGET', primary, 'status') == 'completed' then
        local fields = redis.call('HMGET', primary, 'version', 'result')
        if fields[2] then
          reply[#reply + 1] = (i + 2) / 3
          reply[#reply + 1] = fields[1]
          reply[#reply + 1] = fields[2]
        end
      end
    end
  end
  a = a + n + 2
end
return reply
