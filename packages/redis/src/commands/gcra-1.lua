--[[
  GCRA rate limit (the generic cell rate algorithm, as in redis-cell): allows `burst` requests at
  once and one per `interval` on average. Redis's clock is used, so replicas with skewed clocks
  agree.

  KEYS:
    KEYS[1]  {prefix}:rate-limit:{subject}   theoretical arrival time (epoch ms)
  ARGV:
    ARGV[1]  emission interval, ms per request
    ARGV[2]  burst
  Returns: 0 when allowed, else the milliseconds until a request would be allowed.
  Cluster: one key.
]]
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - interval * burst
if now < allow_at then return math.ceil(allow_at - now) end
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.ceil(next_tat - now))
return 0
