package dev.herald.config;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Whether nodes share state through Redis, and how to reach it. Immutable.
 *
 * @param redisUrl {@code redis[s]://[user:password@]host:port[/db]}, or null when not scaled out
 * @param redis the Redis topology (standalone, Sentinel or Cluster, and TLS), or null when not
 *     scaled out
 * @param prefix prefix of every Redis key and pub/sub channel, so clusters can share a Redis
 * @param heartbeatSeconds how often a node says it is alive
 * @param nodeTimeoutSeconds silence after which the others remove a node's connections
 * @param pingIntervalMillis how often each Redis connection is sent a PING
 * @param pingTimeoutMillis how long a PING may go unanswered before the connection counts as lost
 *     (a frozen or partitioned Redis sends no TCP error): the node is then not ready within
 *     interval + timeout
 */
public record ScalingConfig(
    String redisUrl,
    RedisTopology redis,
    String prefix,
    int heartbeatSeconds,
    int nodeTimeoutSeconds,
    int pingIntervalMillis,
    int pingTimeoutMillis) {

  public boolean enabled() {
    return redisUrl != null;
  }

  static ScalingConfig from(Section section, String defaultPrefix) {
    String mode = section.string("scaling").trim().toLowerCase(Locale.ROOT);
    boolean reverbEnabled = section.bool("reverb_scaling_enabled");
    boolean enabled;
    switch (mode) {
      case "" -> enabled = reverbEnabled;
      case "redis" -> enabled = true;
      case "none", "local", "memory" -> enabled = false;
      default ->
          throw new ConfigException(
              section.source("scaling"), "must be redis or none, got \"" + mode + "\"");
    }
    int heartbeat = section.integer("node_heartbeat_seconds");
    int timeout = section.integer("node_timeout_seconds");
    if (timeout <= heartbeat) {
      throw new ConfigException(
          section.source("node_timeout_seconds"),
          "must be longer than node_heartbeat_seconds (" + heartbeat + ")");
    }
    int pingInterval = section.integer("redis_ping_interval_ms");
    int pingTimeout = section.integer("redis_ping_timeout_ms");
    String prefix = section.string("redis_prefix", defaultPrefix);
    String url = enabled ? redisUrl(section) : null;
    RedisTopology redis = enabled ? RedisTopology.from(section, url) : null;
    if (redis != null && redis.kind() == RedisTopology.Kind.CLUSTER && !prefix.contains("{")) {
      // One hash tag for every key and the bus: each Lua script then touches one slot (see
      // RedisKeys), and the sharded bus lives in the same shard as the state.
      prefix = "{" + prefix + "}";
    }
    return new ScalingConfig(url, redis, prefix, heartbeat, timeout, pingInterval, pingTimeout);
  }

  /**
   * REDIS_URL, or one built from REDIS_HOST / REDIS_PORT / REDIS_PASSWORD / REDIS_DB as Laravel
   * names them.
   */
  private static String redisUrl(Section section) {
    String url = section.string("redis_url").trim();
    if (!url.isEmpty()) {
      try {
        URI uri = URI.create(url);
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
          throw new ConfigException(
              section.source("redis_url"), "must start with redis:// or rediss://");
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            section.source("redis_url"), "not a URL: " + ConfigException.withoutInput(e));
      }
      return url;
    }
    String host = section.string("redis_host").trim();
    int port = section.integer("redis_port");
    String user = section.string("redis_username").trim();
    String password = section.string("redis_password");
    if (password.equalsIgnoreCase("null")) {
      password = "";
    }
    int db = section.integer("redis_db");
    String auth = "";
    if (!password.isEmpty()) {
      auth = (user.isEmpty() ? "" : encode(user)) + ":" + encode(password) + "@";
    }
    return "redis://" + auth + host + ":" + port + "/" + db;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
