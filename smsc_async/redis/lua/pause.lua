-- Pauses of one domain (a server seen from one address), after clock.lua: a hash {until,
-- reason, login} with a TTL; a pause only grows.
local function pause(key, seconds, reason, login)
  if tonumber(redis.call('HGET', key, 'until') or '0') < now + seconds then
    redis.call('HSET', key, 'until', at(now + seconds), 'reason', reason, 'login', login)
    redis.call('PEXPIRE', key, math.ceil(seconds * 1000))
  end
end

-- The pause in force: {microseconds left, reason, login}, or {} when none.
local function current(key)
  local v = redis.call('HMGET', key, 'until', 'reason', 'login')
  if not v[1] or tonumber(v[1]) <= now then return {} end
  return {us(tonumber(v[1]) - now), v[2], v[3]}
end
