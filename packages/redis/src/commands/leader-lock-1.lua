--[[
  Takes or keeps a leader lock: the holder renews it, anyone takes it once it expired.

  KEYS:
    KEYS[1]  the lock key (e.g. {prefix}:rollouts:leader)
  ARGV:
    ARGV[1]  candidate id
    ARGV[2]  lock time to live, ms
  Returns: 1 when the candidate holds the lock now, else 0.
  Cluster: one key, so one hash slot.
]]
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
end
return 0
