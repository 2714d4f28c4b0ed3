--[[
  Records one finished chunk of a batch exactly once: a re-run of the chunk (its worker died after
  writing the results, before this) finds it recorded and adds nothing.

  KEYS:
    KEYS[1]  {prefix}:batch:{id}          the batch hash
    KEYS[2]  {prefix}:batch:{id}:chunks   chunk index → "done,failed"
  ARGV:
    ARGV[1]  chunk index
    ARGV[2]  rows of the chunk with a result
    ARGV[3]  rows of the chunk that failed
  Returns: 1 when counted now, 0 when it was counted before (or the batch is gone).
  Cluster: both keys start with the key prefix and the batch id.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2] .. ',' .. ARGV[3]) == 0 then return 0 end -- text, not a key
redis.call('HINCRBY', KEYS[1], 'done', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'failed', ARGV[3])
return 1
