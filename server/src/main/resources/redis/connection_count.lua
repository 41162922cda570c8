-- The connections of one app on the other live nodes, as each published them at its last count
-- (RedisConnectionCounts). Fields of nodes that left the node set (stopped, or claimed as dead)
-- are removed on the way; a node that stopped heartbeating but is not claimed yet is skipped.
-- ARGV: 1 the app's count hash (node id -> connections), 2 the node set, 3 the oldest live
--       heartbeat (ms), 4 the asking node (its own count is added live by the caller)
-- Returns the sum.
local total = 0
local fields = redis.call('HGETALL', ARGV[1])
for i = 1, #fields, 2 do
  local node = fields[i]
  if node ~= ARGV[4] then
    local heartbeat = redis.call('ZSCORE', ARGV[2], node)
    if not heartbeat then
      redis.call('HDEL', ARGV[1], node)
    elseif tonumber(heartbeat) >= tonumber(ARGV[3]) then
      total = total + tonumber(fields[i + 1])
    end
  end
end
return total
