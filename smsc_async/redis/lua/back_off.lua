-- BACK_OFF: the cap in force halves (at least 1) and grows back by one every `grow`
-- seconds; every sharer's next take sees it. KEYS: cap. ARGV: configured cap, grow.
local cap = tonumber(ARGV[1])
local grow = tonumber(ARGV[2])
local new = math.max(1, math.floor(cap_now(KEYS[1], cap, grow) / 2))
redis.call('HSET', KEYS[1], 'cur', new, 't', at(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - new + 1) * grow * 1000))
return new
