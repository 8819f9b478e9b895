-- RECOVER: after a loss. The first sharer to see it writes the restart hold (now) and a new
-- epoch marked 'R:'; a sharer finding an 'R:' epoch it does not know adopts it (the hold
-- stands). Either way its own slots and pending entries are registered again.
-- KEYS: the six of login.lua, then pending sets. ARGV: known epoch, new epoch, lease, hold
-- ttl, number of slots, slot ids, then one entry id per pending set.
local epoch = redis.call('GET', KEYS[1])
if epoch == ARGV[1] then return epoch end
if not (epoch and string.sub(epoch, 1, 2) == 'R:') then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], at(now), 'EX', tonumber(ARGV[4]))
end
local lease = tonumber(ARGV[3])
local slots = tonumber(ARGV[5])
for i = 1, slots do redis.call('ZADD', KEYS[3], now + lease, ARGV[5 + i]) end
if slots > 0 then keep(KEYS[3], lease) end
for i = 7, #KEYS do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[slots - 1 + i])
  keep(KEYS[i], lease)
end
return epoch
