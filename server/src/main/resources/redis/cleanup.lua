-- Removes every connection a dead node had registered, atomically, returning what changed.
-- KEYS: 1 the dead node's entries set, 2 its signed-in users set
-- ARGV: 1 key prefix ("<p>")
-- Returns {"c", app, channel, vacated, member_removed, user, version, ..., "u", app, user, offline_version, ...}
local p = ARGV[1]
local result = {}
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local app, channel, socket = string.match(entry, '^(.-)\n(.-)\n(.*)$')
  if app then
    local base = p .. app .. ':'
    local subs, counts, infos, version = base .. 'c:' .. channel, base .. 'm:' .. channel, base .. 'i:' .. channel, base .. 'v:' .. channel
    local user = redis.call('HGET', subs, socket)
    if user then
      redis.call('HDEL', subs, socket)
      local removed = 0
      if user ~= '' then
        local count = redis.call('HINCRBY', counts, user, -1)
        if count <= 0 then
          redis.call('HDEL', counts, user)
          redis.call('HDEL', infos, user)
          redis.call('INCR', version)
          removed = 1
        end
      end
      local vacated = 0
      if redis.call('HLEN', subs) == 0 then
        vacated = 1
        redis.call('SREM', base .. 'occupied', channel)
        redis.call('EXPIRE', version, 86400)
      end
      if vacated == 1 or removed == 1 then
        result[#result + 1] = 'c'
        result[#result + 1] = app
        result[#result + 1] = channel
        result[#result + 1] = vacated
        result[#result + 1] = removed
        result[#result + 1] = user
        result[#result + 1] = tonumber(redis.call('GET', version) or '0')
      end
    end
  end
end
redis.call('DEL', KEYS[1])
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local app, user, socket = string.match(entry, '^(.-)\n(.-)\n(.*)$')
  if app then
    local base = p .. app .. ':'
    if redis.call('HDEL', base .. 'online-sockets', socket) == 1 then
      local count = redis.call('HINCRBY', base .. 'online', user, -1)
      if count <= 0 then
        redis.call('HDEL', base .. 'online', user)
        result[#result + 1] = 'u'
        result[#result + 1] = app
        result[#result + 1] = user
        result[#result + 1] = redis.call('INCR', p .. 'online-sequence')
      end
    end
  end
end
redis.call('DEL', KEYS[2])
return result
