-- HGETALL as a flat array whatever protocol the client speaks (a RESP3 client gets a map from the
-- command itself). KEYS: 1 the hash.
return redis.call('HGETALL', KEYS[1])
