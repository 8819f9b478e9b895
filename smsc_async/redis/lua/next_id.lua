-- NEXT_ID: a message id unique for every sharer of the login: a counter that starts at a
-- random point when absent and wraps within 1..ID_MAX. KEYS: counter. ARGV: start, ID_MAX.
local v = redis.call('INCR', KEYS[1])
if v == 1 then
  v = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], v)
elseif v > tonumber(ARGV[2]) then
  v = 1
  redis.call('SET', KEYS[1], v)
end
return v
