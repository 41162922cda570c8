-- The connections of one app on the other live nodes, as each published them at its last count
-- (RedisConnectionCounts). Fields of nodes that left the node set (stopped, or claimed as dead)
-- are removed on the way; a node that stopped heartbeating but is not claimed yet is skipped.
-- KEYS: 1 the app's count hash (node id -> connections), 2 the node set (declared, so a Redis
--       Cluster runs the script on the node that holds them)
-- ARGV: 1 the oldest live heartbeat (ms), 2 the asking node (its own count is added live by the
--       caller)
-- Returns the sum.
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local node = fields[i]
  if node ~= ARGV[2] then
    local heartbeat = redis.call('ZSCORE', KEYS[2], node)
    if not heartbeat then
      redis.call('HDEL', KEYS[1], node)
    elseif tonumber(heartbeat) >= tonumber(ARGV[1]) then
      total = total + tonumber(fields[i + 1])
    end
  end
end
return total
