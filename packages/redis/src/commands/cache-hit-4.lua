--[[
  Answers a prediction from the cache in one round trip: reads the entry and, when it is there,
  creates the prediction already `completed` (owned by its requester, marked cached), publishes
  its final event as a worker would (so WebSocket and long-poll waiters get it the usual way),
  appends its prediction log entry (when sampled) and counts the hit; otherwise counts the miss
  and writes nothing else.

  The stored result lacks the per-request `id`; JSON pieces built by the caller are spliced around
  the stored text, never decoded and re-encoded, so the outputs stay byte for byte as computed.

  KEYS:
    KEYS[1]  {prefix}:cache:{model}:{version}:{sha256}   the entry (hash: r, o)
    KEYS[2]  {prefix}:prediction:{id}                    the prediction hash to create
    KEYS[3]  {prefix}:cache-stats:{model}:{version}      hash: hits, misses
    KEYS[4]  {prefix}:prediction-log                     stream
  ARGV:
    ARGV[1]  TTL of the prediction record, seconds (result retention)
    ARGV[2]  final-result channel ({prefix}:events:prediction-final)
    ARGV[3]  result head: `{"id":"<request id>",` (the stored result's `{` is replaced by it)
    ARGV[4]  event head: the final event JSON up to `"result":` (the result and `}` are appended)
    ARGV[5]  log entry head: the log entry JSON without its closing `}`; '' = not logged (sampling)
    ARGV[6]  prediction log MAXLEN (approximate)
    then field/value pairs of the prediction hash besides `result`
  Returns: the result JSON on a hit, false on a miss.
  Cluster: every key starts with the key prefix (PUBLISH is not a key access).
]]
local entry = redis.call('HMGET', KEYS[1], 'r', 'o')
local stored, outputs = entry[1], entry[2]
if not stored then
  redis.call('HINCRBY', KEYS[3], 'misses', 1)
  return false
end
redis.call('HINCRBY', KEYS[3], 'hits', 1)
local result = ARGV[3] .. string.sub(stored, 2) -- text, not a key
redis.call('HSET', KEYS[2], 'result', result, unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[4] .. result .. '}') -- text, not a key
if ARGV[5] ~= '' then
  local log = ARGV[5]
  if outputs then log = log .. ',"outputs":' .. outputs end -- text, not a key
  log = log .. '}' -- text, not a key
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'd', log)
end
return result
