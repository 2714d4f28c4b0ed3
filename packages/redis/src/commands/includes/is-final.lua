--[[
  Statuses after which nothing changes; must equal FINAL_STATUSES in
  packages/contract/src/prediction.ts (a unit test compares them).
]]
local FINAL = { completed = true, failed = true, expired = true }
