package dev.herald.scaling.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.channels.CachedEvent;
import dev.herald.channels.ChannelCache;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** Cache channels' last events in Redis with their TTL, shared by every node. Thread-safe. */
public final class RedisChannelCache implements ChannelCache {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final Clock clock;

  public RedisChannelCache(RedisConnector redis, String prefix, Clock clock) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
    this.clock = clock;
  }

  @Override
  public Future<Void> put(
      String appId, String channel, String event, String data, String frameJson, int ttlSeconds) {
    String value;
    try {
      value = MAPPER.writeValueAsString(Map.of("event", event, "data", data, "frame", frameJson));
    } catch (JsonProcessingException e) {
      return Future.failedFuture(e);
    }
    return redis
        .send(
            Request.cmd(Command.SET)
                .arg(keys.cache(appId, channel))
                .arg(value)
                .arg("PX")
                .arg(ttlSeconds * 1000L))
        .mapEmpty();
  }

  @Override
  public Future<Optional<CachedEvent>> get(String appId, String channel) {
    String key = keys.cache(appId, channel);
    Future<Response> value = redis.send(Request.cmd(Command.GET).arg(key));
    Future<Response> ttl = redis.send(Request.cmd(Command.PTTL).arg(key));
    return Future.all(value, ttl)
        .map(
            all -> {
              Response found = value.result();
              long remaining = ttl.result() == null ? -1 : ttl.result().toLong();
              if (found == null || remaining <= 0) {
                return Optional.<CachedEvent>empty();
              }
              try {
                JsonNode node = MAPPER.readTree(found.toString());
                return Optional.of(
                    new CachedEvent(
                        node.get("event").asText(),
                        node.get("data").asText(),
                        node.get("frame").asText(),
                        clock.millis() + remaining));
              } catch (JsonProcessingException e) {
                return Optional.<CachedEvent>empty();
              }
            });
  }
}
