--[[
  Writes each final record and announces those it wrote, unless the record is final already: the
  first final write wins and is announced once; a duplicate (a re-run after a stall, a retried
  batch) is dropped here, before any client could see it. All records written by one run go out
  in ONE message: their event texts, one per line (one PUBLISH per batch, not per prediction; an
  event text is JSON, which never holds a raw newline, and each stays byte for byte as stored, so
  the API can push it without serialising it again).

  KEYS (2 per record, any number of records):
    KEYS[2i-1]  {prefix}:prediction:{id}   the prediction hash
    KEYS[2i]    {prefix}:queued:{model}    its model's queued count
  ARGV:
    ARGV[1]     final-result channel ({prefix}:events:prediction-final)
    then per record: TTL ('0' = keep), final status, the event JSON (stored as the record's
    `final` field and announced; see includes/write-final.lua)
  Returns: {written, then per written record that carries a shadow outcome already: its index
  (1-based, in call order) and that outcome JSON}: the primary that ends second sees its shadow's
  result (and finish-shadow.lua the primary's when the shadow ends second), so each pair is
  compared exactly once.
  Cluster: every key starts with the key prefix; with a hash-tagged prefix (`{inferq}`) they share
  one hash slot (PUBLISH is not a key access).
]]
--- @include "is-final"
--- @include "leave-queue"
--- @include "write-final"
local a, left, announced = 2, {}, {}
local reply = {0}
for i = 1, #KEYS, 2 do
  local written, shadow = writeFinal(KEYS[i], KEYS[i + 1], left, a)
  if written then
    announced[#announced + 1] = ARGV[a + 2]
    if shadow then
      reply[#reply + 1] = (i + 1) / 2
      reply[#reply + 1] = shadow
    end
  end
  a = a + 3
end
leaveAll(left)
reply[1] = #announced
if #announced > 0 then redis.call('PUBLISH', ARGV[1], table.concat(announced, '\n')) end
return reply
