-- TAKE: admit a request into all its windows at once, and/or take a slot of the cap.
-- Guarantees:
-- (1) an entry joins a window only if fewer than `limit` entries are in it (sent within
--     `span`, or pending with a live lease), and not while a block or a restart hold shuts
--     it; it joins every window of the request or none, atomically;
-- (2) never more live slots than the cap in force, and no new slot during a restart hold;
-- (3) slots go in queue order: first the requests of a window someone waits for (their
--     sending decides when it admits again), then by when the call first asked (Redis's
--     clock); a newcomer takes a free slot at once only when nobody is queued;
-- (4) taking the slot stamps the request's entries with now (pending -> the log).
-- Mode 0 admits (entries pending); 1 admits and takes a slot; 2 takes the slot of a request
-- already admitted. A request that must wait for a slot stays in the queue (renewed by its
-- next call; dropped `queue ttl` after its last).
-- KEYS: the six of login.lua, then per window: log, pending, block, contended.
-- ARGV: known epoch, fresh epoch, request id, lease, windows n, mode, cap, grow, restart
-- hold, asked ('' = now), queue ttl, then per window: limit, span.
-- Answers {status, wait us, window, decisive pending, epoch, asked}: status -1 the state
-- was lost; 1 a window must slide (which one, and 1 if its decisive entry is pending);
-- 2 admitted, queued for a slot (wait: a hint, a wake comes sooner); 0 done.
local epoch = epoch_of(ARGV[1], ARGV[2])
if not epoch then return {-1} end
local lost = tonumber(redis.call('GET', KEYS[2]) or '')
local id = ARGV[3]
local lease = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local mode = tonumber(ARGV[6])
local cap = tonumber(ARGV[7])
local grow = tonumber(ARGV[8])
local asked = now
if ARGV[10] ~= '' then asked = tonumber(ARGV[10]) end
local channel = ARGV[12 + 2 * n]

-- Pending entries in every window: admitted, not sent yet. A request that takes its slot
-- in the same call skips them and goes straight into the logs.
local function join()
  for i = 1, n do
    redis.call('ZADD', KEYS[4 + 4 * i], now + lease, id)
    keep(KEYS[4 + 4 * i], lease)
  end
end

if mode < 2 then
  local worst, which, pend = 0, 0, 0
  for i = 1, n do
    local w, p, b = KEYS[3 + 4 * i], KEYS[4 + 4 * i], KEYS[5 + 4 * i]
    local limit = tonumber(ARGV[10 + 2 * i])
    local span = tonumber(ARGV[11 + 2 * i])
    redis.call('ZREMRANGEBYSCORE', w, '-inf', now - span)
    redis.call('ZREMRANGEBYSCORE', p, '-inf', now)
    local free = tonumber(redis.call('GET', b) or '0')
    if lost and lost + span > free then free = lost + span end
    local pending = redis.call('ZCARD', p)
    local sent = redis.call('ZCARD', w)
    local on = 0
    if pending + sent >= limit then
      if pending >= limit then
        on = 1
        if now + span > free then free = now + span end
      else
        local e = redis.call('ZRANGE', w, sent - (limit - pending), sent - (limit - pending), 'WITHSCORES')
        if tonumber(e[2]) + span > free then free = tonumber(e[2]) + span end
      end
    end
    local wait = free - now
    if wait > ONE_US and wait > worst then worst, which, pend = wait, i, on end
  end
  if which > 0 then
    -- Someone waits for this window: its pending requests go first for slots, now (those
    -- queued) and when they ask (the contended marker).
    local p = KEYS[4 + 4 * which]
    redis.call('SET', KEYS[6 + 4 * which], '1', 'PX', math.ceil(worst * 1000) + 1000)
    local promoted = 0
    for _, other in ipairs(redis.call('ZRANGE', p, 0, -1)) do
      local s = tonumber(redis.call('ZSCORE', KEYS[5], other) or '-1')
      if s > 0 then
        redis.call('ZADD', KEYS[5], 'XX', s - URGENT, other)
        promoted = 1
      end
    end
    if promoted == 1 then wake_heads(free_slots(cap, grow), channel) end
    return {1, us(worst), which, pend, epoch, at(asked)}
  end
  if mode == 0 then
    join()
    return {0, 0, 0, 0, epoch, at(asked)}
  end
end

-- The slot.
local function priority()
  for i = 1, n do
    if redis.call('EXISTS', KEYS[6 + 4 * i]) == 1 then return asked - URGENT end
  end
  return asked
end
local function queued(wait)
  if mode == 1 then join() end
  redis.call('ZADD', KEYS[5], 'LT', priority(), id) -- a place in line only ever improves
  redis.call('ZADD', KEYS[6], now + tonumber(ARGV[11]), id)
  keep(KEYS[5], tonumber(ARGV[11]))
  keep(KEYS[6], tonumber(ARGV[11]))
  return {2, us(wait), 0, 0, epoch, at(asked)}
end
local hold = tonumber(ARGV[9])
if lost and now < lost + hold then return queued(lost + hold - now) end
prune()
local free = free_slots(cap, grow)
local waiting = redis.call('ZCARD', KEYS[5])
if free <= 0 then
  local e = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  local wait = lease
  if e[2] then wait = tonumber(e[2]) - now end
  return queued(wait)
end
if waiting > 0 then
  local rank = redis.call('ZRANK', KEYS[5], id)
  if rank == false then
    redis.call('ZADD', KEYS[5], priority(), id)
    rank = redis.call('ZRANK', KEYS[5], id)
  end
  if rank >= free then return queued(lease) end
  redis.call('ZREM', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
end
redis.call('ZADD', KEYS[3], now + lease, id)
keep(KEYS[3], lease)
for i = 1, n do
  if mode == 2 then redis.call('ZREM', KEYS[4 + 4 * i], id) end
  redis.call('ZADD', KEYS[3 + 4 * i], now, id)
  keep(KEYS[3 + 4 * i], tonumber(ARGV[11 + 2 * i]))
end
if waiting > 1 then wake_heads(free - 1, channel) end
return {0, 0, 0, 0, epoch, at(asked)}
