-- Which of these users are online, and the sequence value the answer corresponds to, read
-- atomically so a watcher's initial state and the notices after it neither overlap nor miss.
-- KEYS: 1 online hash (user -> sockets), 2 sequence. ARGV: user ids.
-- Returns {sequence, count or false, count or false, ...}
local result = {tonumber(redis.call('GET', KEYS[2]) or '0')}
for i = 1, #ARGV do
  local count = redis.call('HGET', KEYS[1], ARGV[i])
  if count then
    result[#result + 1] = 1
  else
    result[#result + 1] = 0
  end
end
return result
