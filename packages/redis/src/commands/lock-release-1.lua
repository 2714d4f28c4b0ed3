--[[
  Releases a lock only if the caller still holds it (a lock that expired and was taken by
  another holder is left alone).

  KEYS:
    KEYS[1]  the lock key
  ARGV:
    ARGV[1]  holder id / token
  Returns: 1 when released, else 0.
  Cluster: one key, so one hash slot.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
