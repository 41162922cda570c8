-- Adds one connection to a channel, atomically; idempotent per socket id (re-registration).
-- KEYS: 1 subscriptions hash (socket -> user or ""), 2 member counts hash (user -> sockets),
--       3 member info hash (user -> user_info JSON), 4 membership version, 5 occupied-channels set,
--       6 this node's entries set
-- ARGV: 1 socket id, 2 user id or "", 3 user_info JSON or "null", 4 max members, 5 channel, 6 node entry
-- Returns {accepted, occupied, member_added, subscription_count, version, user, info, user, info, ...}
local occupied = 0
local added = 0
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  if ARGV[2] ~= '' then
    local count = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
    if count == 0 then
      if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then
        return {0, 0, 0, redis.call('HLEN', KEYS[1]), 0}
      end
      redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
      redis.call('INCR', KEYS[4])
      added = 1
    end
    redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  end
  if redis.call('HLEN', KEYS[1]) == 0 then
    occupied = 1
  end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PERSIST', KEYS[4])
  redis.call('SADD', KEYS[5], ARGV[5])
end
-- Recorded even when the socket was already there: a node registering again after it was declared
-- dead claims its entries back from the grave being emptied (cleanup_batch.lua keeps them).
redis.call('SADD', KEYS[6], ARGV[6])
local result = {1, occupied, added, redis.call('HLEN', KEYS[1]), tonumber(redis.call('GET', KEYS[4]) or '0')}
if ARGV[2] ~= '' then
  local infos = redis.call('HGETALL', KEYS[3])
  for i = 1, #infos do
    result[#result + 1] = infos[i]
  end
end
return result
