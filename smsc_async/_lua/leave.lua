-- LEAVE: a request gives back what it holds: its slot (the exchange ended), its place in
-- the slot queue and its pending entries (it will not be sent). Guarantees: what it held
-- is free for others at once; the queue's waiters whose turn it now is are told (targeted
-- wakes); if a pending entry left, every window waiter of the login looks again (the entry
-- may have been the decisive one). Leaving twice, or what was never held, changes nothing.
-- KEYS: the six of login.lua, then the request's pending sets.
-- ARGV: request id, channel, window-waiters message, cap (0: unknown, wake nobody), grow.
local id = ARGV[1]
local held = redis.call('ZREM', KEYS[3], id) + redis.call('ZREM', KEYS[5], id)
redis.call('ZREM', KEYS[6], id)
local gone = 0
for i = 7, #KEYS do gone = gone + redis.call('ZREM', KEYS[i], id) end
if gone > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
local cap = tonumber(ARGV[4])
if held > 0 and cap > 0 then
  prune()
  wake_heads(free_slots(cap, tonumber(ARGV[5])), ARGV[2])
end
return 0
