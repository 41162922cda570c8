-- Uncounts a signed-in connection; a no-op for an unknown socket id.
-- KEYS and ARGV as online_connect.lua. Returns the transition version, or 0 when the user is still online.
redis.call('SREM', KEYS[3], ARGV[3])
if redis.call('HDEL', KEYS[2], ARGV[2]) == 0 then
  return 0
end
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return redis.call('INCR', KEYS[4])
end
return 0
