--[[
  Stores what a closed monitoring window produced, in one call (one round trip): its metric
  series points, its alerts (each only when its cooldown allows it) and then its report, so a
  reader that sees the report sees the window's series and alerts too.

  KEYS:
    KEYS[1]  {prefix}:monitor:series-index:{model}:{version}   set of series names
    KEYS[2]  {prefix}:alerts                                    stream of alert JSON (field d)
    KEYS[3]  {prefix}:monitor:reports:{model}:{version}         list of report JSON, newest first
    then one {prefix}:monitor:series:{model}:{version}:{name} per series point,
    then one {prefix}:alert-cooldown:{model}:{version}:{rule} per alert
  ARGV:
    ARGV[1]  series max points (approximate MAXLEN)
    ARGV[2]  reports kept
    ARGV[3]  alert history max length (approximate MAXLEN)
    ARGV[4]  alert cooldown (ms)
    ARGV[5]  now (epoch ms, the cooldown keys' value)
    ARGV[6]  number of series points P
    ARGV[7]  number of alerts A
    ARGV[8]  report JSON
    then P × (name, t, v, window), then A alert JSON texts
  Returns: one 1 (raised) or 0 (cooling down) per alert, in order.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot.
]]
local points, alerts = tonumber(ARGV[6]), tonumber(ARGV[7])
local names = {}
for i = 1, points do
  local a = 8 + (i - 1) * 4
  redis.call('XADD', KEYS[3 + i], 'MAXLEN', '~', ARGV[1], '*', 't', ARGV[a + 2], 'v', ARGV[a + 3], 'w', ARGV[a + 4])
  names[#names + 1] = ARGV[a + 1]
end
if #names > 0 then redis.call('SADD', KEYS[1], unpack(names)) end
local raised = {}
for i = 1, alerts do
  local claimed = redis.call('SET', KEYS[3 + points + i], ARGV[5], 'PX', ARGV[4], 'NX')
  if claimed then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'd', ARGV[8 + points * 4 + i])
    raised[i] = 1
  else
    raised[i] = 0
  end
end
redis.call('LPUSH', KEYS[3], ARGV[8])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[2]) - 1)
return raised
