-- Removes up to N of a dead node's connections from its grave (claim.lua), returning what changed.
-- Run again until it reports nothing left; each call is short, so other nodes' commands are served
-- between batches. An entry the node registered again since (it was paused, not dead) is kept.
-- KEYS: 1 grave entries set, 2 grave users set, 3 the node's current entries set,
--       4 its current users set, 5 graves set
-- ARGV: 1 key prefix ("<p>"), 2 batch size N, 3 the grave's name (member of KEYS[5])
-- Returns {remaining, "c", app, channel, vacated, member_removed, user, version, ...,
--          "u", app, user, offline_version, ...}
local p = ARGV[1]
local n = tonumber(ARGV[2])
local result = {0}
local entries = redis.call('SPOP', KEYS[1], n)
for _, entry in ipairs(entries) do
  local app, channel, socket = string.match(entry, '^(.-)\n(.-)\n(.*)$')
  if app and redis.call('SISMEMBER', KEYS[3], entry) == 0 then
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
if #entries < n then
  for _, entry in ipairs(redis.call('SPOP', KEYS[2], n - #entries)) do
    local app, user, socket = string.match(entry, '^(.-)\n(.-)\n(.*)$')
    if app and redis.call('SISMEMBER', KEYS[4], entry) == 0 then
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
end
local remaining = redis.call('SCARD', KEYS[1]) + redis.call('SCARD', KEYS[2])
if remaining == 0 then
  redis.call('SREM', KEYS[5], ARGV[3])
end
result[1] = remaining
return result
