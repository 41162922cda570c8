-- Counts a signed-in connection; idempotent per socket id.
-- KEYS: 1 online hash (user -> sockets), 2 socket hash (socket -> user), 3 node's users set, 4 sequence
-- ARGV: 1 user, 2 socket, 3 node entry. Returns the transition version, or 0 when the user was already online.
-- Recorded even when the socket was already counted (see join.lua).
redis.call('SADD', KEYS[3], ARGV[3])
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then
  return 0
end
if redis.call('HINCRBY', KEYS[1], ARGV[1], 1) == 1 then
  return redis.call('INCR', KEYS[4])
end
return 0
