-- LEAVE: a request gives back what it holds: its slot (the exchange ended), its place in
-- the slot queue and its pending entries (it will not be sent). Guarantees: what it held
-- is free for others at once; the queue's waiters whose turn it now is are told (targeted
-- wakes); if a pending entry left, every window waiter of the login looks again (the entry
-- may have been the decisive one); a sent entry moves to `margin` before now if that is
-- later than its stamp (the request arrived before its answer came, however long it was
-- held up on its way). Leaving twice, or what was never held, changes nothing more.
-- KEYS: the six of login.lua, then per window: log, pending.
-- ARGV: request id, channel, window-waiters message, cap (0: unknown, wake nobody), grow,
-- then per window: margin, span.
local id = ARGV[1]
local held = redis.call('ZREM', KEYS[3], id) + redis.call('ZREM', KEYS[5], id)
redis.call('ZREM', KEYS[6], id)
local gone = 0
for i = 1, (#KEYS - 6) / 2 do
  local w = KEYS[5 + 2 * i]
  gone = gone + redis.call('ZREM', KEYS[6 + 2 * i], id)
  local margin, span = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  if redis.call('ZADD', w, 'XX', 'GT', 'CH', now - margin, id) == 1 then keep(w, span) end
end
if gone > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
local cap = tonumber(ARGV[4])
if held > 0 and cap > 0 then
  prune()
  wake_heads(free_slots(cap, tonumber(ARGV[5])), ARGV[2])
end
return 0
