-- Redis's clock, for every script that keeps time (prefixed to it). Times are seconds
-- (floats) by Redis's clock, never a worker's. Answers carry durations in whole
-- microseconds and instants as text: Redis turns a Lua number into an integer.
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ONE_US = 0.000001

local function us(seconds) return math.ceil(seconds * 1000000) end
local function at(instant) return string.format('%.6f', instant) end
local function keep(key, seconds) redis.call('PEXPIRE', key, math.ceil(seconds * 1000) + 1000) end

-- The cap in force: after a back-off, {cur, t} in `key` grows back by one every `grow` s.
local function cap_now(key, cap, grow)
  local v = redis.call('HMGET', key, 'cur', 't')
  if not v[1] then return cap end
  local c = tonumber(v[1]) + math.floor((now - tonumber(v[2]) + ONE_US) / grow)
  if c > cap then c = cap end
  return c
end
