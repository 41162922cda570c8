-- Removes one connection from a channel, atomically; a no-op for an unknown socket id.
-- KEYS as join.lua. ARGV: 1 socket id, 2 channel, 3 node entry
-- Returns {vacated, member_removed, subscription_count, version, user}
redis.call('SREM', KEYS[6], ARGV[3])
local user = redis.call('HGET', KEYS[1], ARGV[1])
if not user then
  return {0, 0, redis.call('HLEN', KEYS[1]), tonumber(redis.call('GET', KEYS[4]) or '0'), ''}
end
redis.call('HDEL', KEYS[1], ARGV[1])
local removed = 0
if user ~= '' then
  local count = redis.call('HINCRBY', KEYS[2], user, -1)
  if count <= 0 then
    redis.call('HDEL', KEYS[2], user)
    redis.call('HDEL', KEYS[3], user)
    redis.call('INCR', KEYS[4])
    removed = 1
  end
end
local subscriptions = redis.call('HLEN', KEYS[1])
local vacated = 0
if subscriptions == 0 then
  vacated = 1
  redis.call('SREM', KEYS[5], ARGV[2])
  -- Kept a while so a late member event is still recognised as stale if the channel refills.
  redis.call('EXPIRE', KEYS[4], 86400)
end
return {vacated, removed, subscriptions, tonumber(redis.call('GET', KEYS[4]) or '0'), user}
