-- AUTH_FAILED: count an authorisation error of any login at the domain; with `limit` of
-- them within `span`, pause until the oldest of those leaves the span (one more would earn
-- SMSC's IP block). KEYS: pause, errors. ARGV: limit, span, member, reason, login.
local limit = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
redis.call('ZADD', KEYS[2], now, ARGV[3])
keep(KEYS[2], span)
local n = redis.call('ZCARD', KEYS[2])
if n < limit then return {} end
local e = redis.call('ZRANGE', KEYS[2], n - limit, n - limit, 'WITHSCORES')
pause(KEYS[1], tonumber(e[2]) + span - now, ARGV[4], ARGV[5])
return current(KEYS[1])
