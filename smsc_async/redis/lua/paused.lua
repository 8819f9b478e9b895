-- PAUSED: the pause in force. KEYS: pause.
return current(KEYS[1])
