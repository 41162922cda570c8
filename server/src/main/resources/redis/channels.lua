-- Occupied channels of an app whose names start with a prefix, with their counts.
-- KEYS: 1 occupied-channels set. ARGV: 1 key prefix for channel keys ("<p>c:<app>:" style base), 2 name prefix
-- Returns {name, subscriptions, members, name, subscriptions, members, ...}
local result = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(name, 1, string.len(ARGV[2])) == ARGV[2] then
    local subscriptions = redis.call('HLEN', ARGV[1] .. 'c:' .. name)
    if subscriptions > 0 then
      result[#result + 1] = name
      result[#result + 1] = subscriptions
      result[#result + 1] = redis.call('HLEN', ARGV[1] .. 'm:' .. name)
    end
  end
end
return result
