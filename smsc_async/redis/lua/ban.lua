-- BAN: pause for `seconds` (unless a longer pause holds); answers the pause in force.
-- KEYS: pause. ARGV: seconds, reason, login.
pause(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3])
return current(KEYS[1])
