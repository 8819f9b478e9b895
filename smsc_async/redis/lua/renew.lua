-- RENEW: extend the leases of the slots and pending entries one sharer holds (only those
-- still there: a lease that ended is not revived). Answers {-1} if the state was lost.
-- KEYS: the six of login.lua, then pending sets. ARGV: known epoch, fresh epoch, lease,
-- number of slots, slot ids, then one entry id per pending set.
local epoch = epoch_of(ARGV[1], ARGV[2])
if not epoch then return {-1} end
local lease = tonumber(ARGV[3])
local slots = tonumber(ARGV[4])
for i = 1, slots do redis.call('ZADD', KEYS[3], 'XX', now + lease, ARGV[4 + i]) end
if slots > 0 then keep(KEYS[3], lease) end
for i = 7, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + lease, ARGV[slots - 2 + i])
  keep(KEYS[i], lease)
end
return {0, epoch}
