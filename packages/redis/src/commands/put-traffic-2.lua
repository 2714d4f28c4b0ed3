--[[
  Writes a model's traffic policy as a new revision, compare-and-set on the revision in force,
  keeps it in the history and announces the change: one script, so a policy is never half-applied
  and two writers racing on one revision cannot both win.

  KEYS:
    KEYS[1]  {prefix}:traffic:{model}           JSON TrafficPolicy in force
    KEYS[2]  {prefix}:traffic-history:{model}   JSON TrafficPolicy per revision, newest first
  ARGV:
    ARGV[1]  expected current revision ('' = any; '0' = none written yet)
    ARGV[2]  the policy as a JSON object without "revision" (the script prepends it)
    ARGV[3]  history length kept
    ARGV[4]  change channel ({prefix}:events:traffic)
    ARGV[5]  model name (for the change message)
  Returns: {1, new revision} when written; {0, current revision} when ARGV[1] did not match.
  Cluster: both keys start with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot. The channel is not a key (PUBLISH is cluster-wide).
]]
local current = redis.call('GET', KEYS[1])
local revision = 0
if current then revision = tonumber(cjson.decode(current).revision) or 0 end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= revision then return {0, revision} end
local nextRevision = revision + 1
-- Splice the revision in rather than decode/encode: cjson would turn empty arrays into objects.
local policy = string.format('{"revision":%d,%s', nextRevision, string.sub(ARGV[2], 2))
redis.call('SET', KEYS[1], policy)
redis.call('LPUSH', KEYS[2], policy)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('PUBLISH', ARGV[4], cjson.encode({model = ARGV[5], revision = nextRevision}))
return {1, nextRevision}
