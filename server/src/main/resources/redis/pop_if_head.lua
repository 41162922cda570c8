-- Removes a webhook queue's head if it is still the batch that was delivered.
-- KEYS: 1 the queue's list, 2 the set of queue names. ARGV: 1 the encoded batch, 2 the queue name
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
end
return 1
