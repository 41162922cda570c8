-- Claims a node that stopped heartbeating: removes it from the node set (only the survivor whose
-- call finds it still expired claims it) and moves its entries and users sets aside as a grave,
-- which the survivors then empty in batches (cleanup_batch.lua). O(1): a large node's cleanup never
-- holds Redis in one script. The node's own keys start afresh, so a node that was only paused and
-- registers itself again is not cleaned up by the grave of its earlier life.
-- KEYS: 1 node sorted set, 2 the node's entries set, 3 its users set, 4 graves set, 5 grave sequence
-- ARGV: 1 node id, 2 deadline (a heartbeat score at or below it is expired), 3 grave key base
-- Returns the grave's name if this call claimed the node, else 0
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
local grave = ARGV[3] .. redis.call('INCR', KEYS[5])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], grave .. ':subs')
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], grave .. ':users')
end
redis.call('SADD', KEYS[4], grave)
return grave
