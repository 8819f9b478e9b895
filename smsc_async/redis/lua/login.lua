-- Shared by the scripts of one login's requests (take, leave, renew, recover), after
-- clock.lua. They all start with the same six keys: KEYS[1] the login's epoch, KEYS[2] the
-- restart-hold marker, KEYS[3] the slots (id -> lease end), KEYS[4] the AIMD cap state,
-- KEYS[5] the slot queue (id -> priority), KEYS[6] the queue's expiries (id -> end).
local URGENT = 10000000000 -- subtracted from a queued priority: first in line

-- The epoch: written on first use, remembered by every sharer. Missing or changed after use
-- means the state was lost (a restart): nil, and the script touches nothing.
local function epoch_of(known, fresh)
  local epoch = redis.call('GET', KEYS[1])
  if not epoch then
    if known ~= '' then return nil end
    epoch = fresh
    redis.call('SET', KEYS[1], epoch)
  elseif known ~= '' and epoch ~= known then
    return nil
  end
  return epoch
end

-- Slots whose lease ended and waiters that stopped asking (a dead process) are dropped.
local function prune()
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now)
  if #dead > 0 then
    for _, id in ipairs(dead) do redis.call('ZREM', KEYS[5], id) end
    redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
  end
end

local function free_slots(cap, grow)
  return cap_now(KEYS[4], cap, grow) - redis.call('ZCARD', KEYS[3])
end

-- The queue's first `free` waiters are told it is their turn ('g' .. id on the channel):
-- a targeted wake, not every waiter of every sharer racing for one slot.
local function wake_heads(free, channel)
  if free <= 0 then return end
  for _, id in ipairs(redis.call('ZRANGE', KEYS[5], 0, free - 1)) do
    redis.call('PUBLISH', channel, 'g' .. id)
  end
end
