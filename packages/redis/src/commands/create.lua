--[[
  Records newly accepted predictions as `queued` (one, or a coalesced bundle), with the claim-check
  payload of those that carry one, and counts them in their queued counts: all or nothing, in one
  command (a MULTI of HSET + EXPIRE per prediction would cost a QUEUED reply per command and an
  EXEC reply as long again).

  KEYS (any number of predictions, then the counters):
    per prediction: {prefix}:prediction:{id}, then {prefix}:payload:{id} when it carries a payload
    then per counter: {prefix}:queued:{model} or {prefix}:queued-shadow:{model}
  ARGV:
    ARGV[1]     TTL of a record, seconds
    ARGV[2]     TTL of a payload, seconds
    ARGV[3]     number of counters c; ARGV[4 .. 3+c] how many predictions each counter gains
    then per prediction: 1 when a payload follows its fields (else 0), field count n, n
    field/value strings, [the payload bytes]
  Returns: how many predictions were recorded.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local recordTtl, payloadTtl, counters = ARGV[1], ARGV[2], tonumber(ARGV[3])
local a, k, created = 4 + counters, 1, 0
while k <= #KEYS - counters do
  local key, hasPayload, n = KEYS[k], ARGV[a] == '1', tonumber(ARGV[a + 1])
  redis.call('HSET', key, unpack(ARGV, a + 2, a + 1 + n))
  redis.call('EXPIRE', key, recordTtl)
  a, k = a + 2 + n, k + 1
  if hasPayload then
    redis.call('SET', KEYS[k], ARGV[a], 'EX', payloadTtl)
    a, k = a + 1, k + 1
  end
  created = created + 1
end
for c = 1, counters do redis.call('INCRBY', KEYS[#KEYS - counters + c], ARGV[3 + c]) end
return created
