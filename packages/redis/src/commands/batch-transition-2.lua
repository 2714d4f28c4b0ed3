--[[
  Moves a batch from one of the given statuses to a new one (one writer of the status: a cancel
  and the end of the run cannot both win), setting fields alongside; a final status starts the
  retention TTL of the batch and of its chunk index.

  KEYS:
    KEYS[1]  {prefix}:batch:{id}          the batch hash
    KEYS[2]  {prefix}:batch:{id}:chunks   its chunk index
  ARGV:
    ARGV[1]  statuses it may leave, comma-separated (e.g. "queued,running")
    ARGV[2]  the new status
    ARGV[3]  TTL in seconds to set on both keys; 0 = none
    ARGV[4..] field, value pairs to set
  Returns: the status it found (nil when the batch is gone); the move happened when that status
  is in ARGV[1].
  Cluster: both keys start with the key prefix and the batch id; with a hash-tagged prefix they
  share one hash slot.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == status then allowed = true end
end
if not allowed then return status end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return status
