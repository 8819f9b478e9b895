-- REFUND: a sent request that certainly never reached SMSC leaves its logs (and pending
-- sets). Waiters keep the times they planned (no message); later admissions gain.
-- KEYS: logs and pending sets. ARGV: request id.
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 0
