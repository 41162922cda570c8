-- Subscription and member counts of some channels of an app (one batch of an SSCAN over its
-- occupied set, so a large app's listing never holds Redis in one script).
-- KEYS: 1 the app's occupied set (not read: it names the slot, so a Redis Cluster routes the call
--         to the node that holds the app's keys)
-- ARGV: 1 the app's key base ("<p><app>:"), 2.. channel names
-- Returns {name, subscriptions, members, ...} for the channels that have subscriptions
local result = {}
for i = 2, #ARGV do
  local name = ARGV[i]
  local subscriptions = redis.call('HLEN', ARGV[1] .. 'c:' .. name)
  if subscriptions > 0 then
    result[#result + 1] = name
    result[#result + 1] = subscriptions
    result[#result + 1] = redis.call('HLEN', ARGV[1] .. 'm:' .. name)
  end
end
return result
