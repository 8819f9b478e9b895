-- HOLD: SMSC said 9: each window admits nothing until now + seconds (a block only grows).
-- KEYS: block keys. ARGV: seconds.
local seconds = tonumber(ARGV[1])
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') < now + seconds then
    redis.call('SET', KEYS[i], at(now + seconds), 'PX', math.ceil(seconds * 1000))
  end
end
return 0
