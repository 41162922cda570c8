package dev.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soketi 1.6's options, by their dotted path in Soketi's {@code Options} ({@code
 * "eventLimits.maxPayloadInKb"}, {@code "appManager.array.apps.0.key"}), translated into Herald's
 * settings: converted where the units differ (KB, MB, milliseconds, -1 for "no limit"), ignored
 * with a warning where the setting only tunes Soketi's own machinery, and refused where Herald
 * would behave differently from what the option asks. {@link SoketiEnvironment} and {@link
 * SoketiConfigFile} feed it, so both spellings of one option mean the same thing.
 *
 * <p>One instance gathers the options of one source (the environment, or one file). Server options
 * are applied as they come; app fields are held until {@link #finish()}, because one app field
 * ({@code enableUserAuthentication}) needs a server option ({@code userAuthenticationTimeout}) that
 * may come later. Confined to the loading thread.
 */
final class SoketiOptions {
  private static final Logger LOG = Logger.getLogger(SoketiOptions.class.getName());

  /** {@code appManager.array.apps.<index>.<field>}. */
  private static final Pattern APP_FIELD =
      Pattern.compile("appManager\\.array\\.apps\\.(\\d+)\\.([A-Za-z_]+)");

  /** One field of the app at {@code index}, as given. */
  private record AppField(int index, String field, String value, String source) {}

  /** One option's translation: its value as text (JSON text for lists and maps). */
  @FunctionalInterface
  private interface Rule {
    void apply(SoketiOptions into, String value, String source);
  }

  private final Section server;
  private final Section appWide;
  private final IntFunction<Section> app;
  private final List<AppField> appFields = new ArrayList<>();
  private int userAuthenticationTimeoutSeconds = 30;
  private Boolean batching;
  private String batchingSource;
  private int batchDuration = 50;
  private String batchDurationSource;
  private String keyPrefix = "";
  private String adapterPrefix = "";
  private String prefixSource;
  private boolean clusterMode;
  private String clusterModeSource;
  private String clusterNodes = "";
  private String clusterNodesSource;

  /**
   * @param server where server settings go
   * @param appWide where Soketi's server-wide app limits ({@code presence.*}, {@code
   *     eventLimits.*}, {@code channelLimits.*}) go: the one app of the environment, or the
   *     defaults of a file's apps
   * @param app the section of the app at an index of {@code appManager.array.apps}
   */
  SoketiOptions(Section server, Section appWide, IntFunction<Section> app) {
    this.server = server;
    this.appWide = appWide;
    this.app = app;
  }

  /** Whether {@code path} is an option of Soketi 1.6, an app's field included. */
  static boolean known(String path) {
    Matcher field = APP_FIELD.matcher(path);
    if (field.matches()) {
      return APP_FIELDS.containsKey(canonicalField(field.group(2)));
    }
    return SERVER_OPTIONS.containsKey(path) || ignoredGroup(path) != null;
  }

  /** Takes one option; refuses an unknown path or a value Herald cannot honour. */
  void put(String path, String value, String source) {
    if (value == null || value.equals("null")) {
      return;
    }
    Matcher field = APP_FIELD.matcher(path);
    if (field.matches()) {
      appFields.add(new AppField(Integer.parseInt(field.group(1)), field.group(2), value, source));
      return;
    }
    Rule rule = SERVER_OPTIONS.get(path);
    if (rule != null) {
      rule.apply(this, value, source);
      return;
    }
    String ignored = ignoredGroup(path);
    if (ignored != null) {
      warn(source, ignored);
      return;
    }
    throw new ConfigException(source, "not an option of Soketi 1.6 (nor of Herald)");
  }

  /** Applies the app fields taken so far, once every server option is in. */
  void finish() {
    if (batching != null) {
      // Soketi sends each webhook at once unless batching is on; the duration counts only then.
      server.put(
          "webhook_batch_ms",
          batching ? Integer.toString(batchDuration) : "0",
          batching && batchDurationSource != null ? batchDurationSource : batchingSource);
    }
    if (prefixSource != null && !(keyPrefix + adapterPrefix).isEmpty()) {
      // Soketi puts the connection's key prefix before the adapter's on every key it writes.
      server.put("redis_prefix", keyPrefix + adapterPrefix, prefixSource);
    }
    if (clusterMode) {
      if (clusterNodes.isEmpty()) {
        throw new ConfigException(
            clusterModeSource,
            "needs the cluster's nodes (SOKETI_DB_REDIS_CLUSTER_NODES / database.redis.clusterNodes)");
      }
      server.put("redis_topology", "cluster", clusterModeSource);
      server.put("redis_cluster_nodes", clusterNodes, clusterNodesSource);
    } else if (!clusterNodes.isEmpty()) {
      warn(clusterNodesSource, "ignored: Soketi uses the cluster's nodes in cluster mode only");
    }
    for (AppField entry : appFields) {
      Rule rule = APP_FIELDS.get(canonicalField(entry.field()));
      if (rule == null) {
        throw new ConfigException(entry.source(), "not an app field of Soketi 1.6 (nor of Herald)");
      }
      // App rules write to the app-wide section; for one app's own field, that is the app's.
      SoketiOptions forApp = new SoketiOptions(server, app.apply(entry.index()), app);
      forApp.userAuthenticationTimeoutSeconds = userAuthenticationTimeoutSeconds;
      rule.apply(forApp, entry.value(), entry.source());
    }
    appFields.clear();
  }

  private static final Map<String, Rule> SERVER_OPTIONS =
      Map.ofEntries(
          Map.entry("host", server("host")),
          Map.entry("port", server("port")),
          Map.entry("pathPrefix", server("path")),
          Map.entry("debug", server("debug")),
          Map.entry("ssl.certPath", server("tls_cert")),
          Map.entry("ssl.keyPath", server("tls_key")),
          Map.entry(
              "ssl.passphrase",
              refuseUnlessEmpty(
                  "Herald reads unencrypted PEM keys only: decrypt the key (openssl pkey -in"
                      + " key.pem -out plain.pem) and leave the passphrase empty")),
          Map.entry(
              "ssl.caPath",
              refuseUnlessEmpty(
                  "Herald takes no separate CA file: append the chain to the certificate file")),
          Map.entry("mode", oneOf("full", "Herald always serves both WebSockets and the HTTP API")),
          Map.entry("adapter.driver", SoketiOptions::adapterDriver),
          Map.entry("adapter.redis.prefix", SoketiOptions::adapterPrefix),
          Map.entry("adapter.redis.clusterMode", SoketiOptions::clusterMode),
          Map.entry(
              "adapter.redis.redisPubOptions",
              refuseUnlessEmpty("set the connection with SOKETI_DB_REDIS_* (database.redis.*)")),
          Map.entry(
              "adapter.redis.redisSubOptions",
              refuseUnlessEmpty("set the connection with SOKETI_DB_REDIS_* (database.redis.*)")),
          Map.entry(
              "adapter.redis.requestsTimeout",
              warn("Herald's cross-node queries have a time limit of their own")),
          Map.entry(
              "appManager.driver",
              oneOf(
                  "array",
                  "Herald reads apps from its environment, a config file or its own apps table"
                      + " (HERALD_APPS_DATABASE_URL), not from Soketi's app tables")),
          Map.entry("channelLimits.maxNameLength", appWide("max_channel_name_length")),
          Map.entry("channelLimits.cacheTtl", appWide("cache_ttl")),
          Map.entry("database.redis.host", server("redis_host")),
          Map.entry("database.redis.port", server("redis_port")),
          Map.entry("database.redis.db", server("redis_db")),
          Map.entry("database.redis.username", server("redis_username")),
          Map.entry("database.redis.password", server("redis_password")),
          Map.entry("database.redis.keyPrefix", SoketiOptions::keyPrefix),
          Map.entry("database.redis.sentinels", SoketiOptions::sentinels),
          Map.entry(
              "database.redis.sentinelPassword",
              refuseUnlessEmpty(
                  "Herald reaches the sentinels with the Redis credentials"
                      + " (SOKETI_DB_REDIS_USERNAME / _PASSWORD); leave it empty")),
          Map.entry("database.redis.clusterNodes", SoketiOptions::clusterNodes),
          Map.entry("database.redis.name", server("redis_sentinel_master")),
          Map.entry("eventLimits.maxChannelsAtOnce", appWide("max_channels_per_event")),
          Map.entry("eventLimits.maxNameLength", appWide("max_event_name_length")),
          Map.entry("eventLimits.maxPayloadInKb", appWideKilobytes("max_event_payload")),
          Map.entry("eventLimits.maxBatchSize", appWide("max_batch_size")),
          Map.entry("httpApi.requestLimitInMb", SoketiOptions::requestLimit),
          Map.entry("metrics.enabled", server("metrics_enabled")),
          Map.entry("metrics.port", server("metrics_port")),
          Map.entry(
              "metrics.driver", oneOf("prometheus", "Herald exposes Prometheus metrics only")),
          Map.entry("metrics.prometheus.prefix", SoketiOptions::metricsPrefix),
          Map.entry(
              "metrics.host",
              warn("Herald serves metrics on the host it listens on (SOKETI_HOST)")),
          Map.entry("presence.maxMembersPerChannel", appWide("max_presence_members")),
          Map.entry("presence.maxMemberSizeInKb", appWideKilobytes("max_presence_member_size")),
          Map.entry("shutdownGracePeriod", SoketiOptions::shutdownGracePeriod),
          Map.entry("userAuthenticationTimeout", SoketiOptions::userAuthenticationTimeout),
          Map.entry("webhooks.batching.enabled", SoketiOptions::webhookBatching),
          Map.entry("webhooks.batching.duration", SoketiOptions::webhookBatchDuration),
          Map.entry(
              "queue.driver",
              quietIf(
                  "sync",
                  "Herald queues webhooks in its own memory and retries them"
                      + " (HERALD_WEBHOOK_RETRY_SECONDS)")),
          Map.entry(
              "rateLimiter.driver",
              quietIf("local", "Herald counts rate limits on each node, not through Redis")),
          Map.entry(
              "cache.driver",
              quietIf("memory", "Herald keeps cache channels' last events itself")));

  /**
   * Option groups that tune only Soketi's own machinery (its cluster discovery, its queue and cache
   * drivers, its database pools): ignored with a warning. The reason by path prefix.
   */
  private static final Map<String, String> IGNORED_GROUPS =
      Map.ofEntries(
          Map.entry("adapter.cluster.", "Soketi's PM2 cluster adapter is not used by Herald"),
          Map.entry("adapter.nats.", "Herald scales through Redis only"),
          Map.entry("appManager.cache.", "Herald's apps are read from its configuration"),
          Map.entry("appManager.dynamodb.", "Herald does not read apps from DynamoDB"),
          Map.entry("appManager.mysql.", "Herald does not read Soketi's app tables"),
          Map.entry("appManager.postgres.", "Herald does not read Soketi's app tables"),
          Map.entry("cache.", "Herald keeps cache channels' last events itself"),
          Map.entry("cluster.", "Soketi's cluster discovery is not used by Herald"),
          Map.entry(
              "cors.",
              "Herald sends no CORS headers: its HTTP API is for servers, signed with the secret"),
          Map.entry("database.mysql.", "Herald does not read Soketi's app tables"),
          Map.entry("database.postgres.", "Herald does not read Soketi's app tables"),
          Map.entry("databasePooling.", "Herald does not read Soketi's app tables"),
          Map.entry("httpApi.acceptTraffic.", "Herald does not shed traffic by memory use"),
          Map.entry("instance.", "Soketi's process id is not used by Herald"),
          Map.entry("queue.", "Herald queues webhooks in its own memory"),
          Map.entry("rateLimiter.", "Herald counts rate limits on each node"));

  private static String ignoredGroup(String path) {
    for (Map.Entry<String, String> group : IGNORED_GROUPS.entrySet()) {
      if (path.startsWith(group.getKey())) {
        return "ignored: " + group.getValue();
      }
    }
    return null;
  }

  /** App fields by their camelCase name (see {@link #canonicalField}). */
  private static final Map<String, Rule> APP_FIELDS =
      Map.ofEntries(
          Map.entry("id", app("id")),
          Map.entry("key", app("key")),
          Map.entry("secret", app("secret")),
          Map.entry("enabled", app("enabled")),
          Map.entry("maxConnections", SoketiOptions::maxConnections),
          Map.entry("enableClientMessages", SoketiOptions::enableClientMessages),
          Map.entry("maxBackendEventsPerSecond", perSecondLimit("max_backend_events_per_second")),
          Map.entry("maxClientEventsPerSecond", perSecondLimit("client_event_rate_limit")),
          Map.entry("maxReadRequestsPerSecond", SoketiOptions::maxReadRequests),
          Map.entry("webhooks", SoketiOptions::webhooks),
          Map.entry("maxPresenceMembersPerChannel", app("max_presence_members")),
          Map.entry("maxPresenceMemberSizeInKb", appKilobytes("max_presence_member_size")),
          Map.entry("maxChannelNameLength", app("max_channel_name_length")),
          Map.entry("maxEventChannelsAtOnce", app("max_channels_per_event")),
          Map.entry("maxEventNameLength", app("max_event_name_length")),
          Map.entry("maxEventPayloadInKb", appKilobytes("max_event_payload")),
          Map.entry("maxEventBatchSize", app("max_batch_size")),
          Map.entry("enableUserAuthentication", SoketiOptions::enableUserAuthentication));

  /**
   * The camelCase name of an app field given in any of the spellings Soketi's {@code App} accepts
   * ({@code maxConnections}, {@code MaxConnections}, {@code max_connections}; {@code AppId} for
   * {@code id}).
   */
  private static String canonicalField(String field) {
    switch (field) {
      case "AppId":
        return "id";
      case "AppKey":
        return "key";
      case "AppSecret":
        return "secret";
      case "max_backend_events_per_sec":
        return "maxBackendEventsPerSecond";
      case "max_client_events_per_sec":
        return "maxClientEventsPerSecond";
      case "max_read_req_per_sec":
        return "maxReadRequestsPerSecond";
      default:
        break;
    }
    StringBuilder camel = new StringBuilder();
    boolean upper = false;
    for (char c : field.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return Character.toLowerCase(camel.charAt(0)) + camel.substring(1);
  }

  // ---- rules

  private static Rule server(String key) {
    return (into, value, source) -> into.server.put(key, value, source);
  }

  private static Rule appWide(String key) {
    return (into, value, source) -> into.appWide.put(key, value, source);
  }

  private static Rule app(String key) {
    return appWide(key);
  }

  private static Rule appWideKilobytes(String key) {
    return (into, value, source) ->
        into.appWide.put(key, kilobytes(value, source), source + " (KB, as bytes)");
  }

  private static Rule appKilobytes(String key) {
    return appWideKilobytes(key);
  }

  private static Rule warn(String reason) {
    return (into, value, source) -> warn(source, "ignored: " + reason);
  }

  private static Rule quietIf(String expected, String reason) {
    return (into, value, source) -> {
      if (!value.trim().equalsIgnoreCase(expected)) {
        warn(source, "\"" + value + "\" is ignored: " + reason);
      }
    };
  }

  private static Rule oneOf(String supported, String reason) {
    return (into, value, source) -> {
      if (!value.trim().equalsIgnoreCase(supported)) {
        throw new ConfigException(
            source, "only \"" + supported + "\" is supported, got \"" + value + "\": " + reason);
      }
    };
  }

  private static Rule refuseUnlessEmpty(String reason) {
    return (into, value, source) -> {
      String trimmed = value.trim();
      if (!(trimmed.isEmpty()
          || trimmed.equals("[]")
          || trimmed.equals("{}")
          || trimmed.equalsIgnoreCase("false")
          || trimmed.equals("0"))) {
        throw new ConfigException(source, "not supported: " + reason);
      }
    };
  }

  /** Soketi's -1 means no limit, Herald's 0; Soketi's 0 lets nothing through. */
  private static Rule perSecondLimit(String key) {
    return (into, value, source) -> {
      int limit = whole(value, source);
      if (limit == 0) {
        throw new ConfigException(
            source,
            "0 would refuse every event; use -1 for no limit"
                + (key.equals("client_event_rate_limit")
                    ? ", or turn client events off (enableClientMessages /"
                        + " SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=false)"
                    : ""));
      }
      into.appWide.put(key, Integer.toString(Math.max(limit, 0)), source);
    };
  }

  private static void adapterDriver(SoketiOptions into, String value, String source) {
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "redis" -> into.server.put("scaling", "redis", source);
      case "local" -> into.server.put("scaling", "none", source);
      default ->
          throw new ConfigException(
              source,
              "only \"redis\" or \"local\" is supported, got \""
                  + value
                  + "\": Herald scales out through Redis");
    }
  }

  private static void adapterPrefix(SoketiOptions into, String value, String source) {
    into.adapterPrefix = value;
    into.prefixSource = source;
  }

  private static void keyPrefix(SoketiOptions into, String value, String source) {
    into.keyPrefix = value;
    into.prefixSource = source;
  }

  private static void clusterMode(SoketiOptions into, String value, String source) {
    into.clusterMode = truthy(value, source);
    into.clusterModeSource = source;
  }

  private static void clusterNodes(SoketiOptions into, String value, String source) {
    into.clusterNodes = hostPorts(value, source, 6379);
    into.clusterNodesSource = source;
  }

  /** Soketi (ioredis) switches to Sentinel when sentinels are listed. */
  private static void sentinels(SoketiOptions into, String value, String source) {
    String list = hostPorts(value, source, 26379);
    if (!list.isEmpty()) {
      into.server.put("redis_sentinels", list, source);
    }
  }

  /**
   * ioredis's node list, {@code [{"host": "h", "port": 26379}, "h2:26380"]}, as Herald's {@code
   * host:port,host:port}.
   */
  private static String hostPorts(String value, String source, int defaultPort) {
    JsonNode list;
    try {
      list = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          source,
          "must be a JSON list of {\"host\": ..., \"port\": ...}: " + e.getOriginalMessage());
    }
    if (list == null || list.isNull()) {
      return "";
    }
    if (!list.isArray()) {
      throw new ConfigException(source, "must be a JSON list of {\"host\": ..., \"port\": ...}");
    }
    List<String> nodes = new ArrayList<>();
    for (JsonNode node : list) {
      if (node.isTextual()) {
        nodes.add(node.textValue().trim());
      } else if (node.isObject() && node.path("host").isTextual()) {
        nodes.add(node.get("host").textValue().trim() + ":" + node.path("port").asInt(defaultPort));
      } else {
        throw new ConfigException(source, "an entry has no host: " + node);
      }
    }
    return String.join(",", nodes);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static void requestLimit(SoketiOptions into, String value, String source) {
    double megabytes = number(value, source, "MB");
    into.server.put(
        "max_request_size",
        Long.toString(Math.round(megabytes * 1024 * 1024)),
        source + " (MB, as bytes)");
  }

  /** Soketi's metric names come with Herald's prefix {@code soketi} only. */
  private static void metricsPrefix(SoketiOptions into, String value, String source) {
    String prefix = value.trim();
    if (!prefix.equals("soketi_") && !prefix.equals("soketi")) {
      throw new ConfigException(
          source,
          "only \"soketi_\" is supported, got \""
              + value
              + "\": Herald gives Soketi's metric names under Soketi's own prefix (or its own"
              + " names under HERALD_METRICS_PREFIX)");
    }
    into.server.put("metrics_prefix", "soketi", source);
  }

  private static void shutdownGracePeriod(SoketiOptions into, String value, String source) {
    long millis = whole(value, source);
    into.server.put(
        "drain_seconds", Long.toString((Math.max(millis, 0) + 999) / 1000), source + " (ms)");
  }

  private static void userAuthenticationTimeout(SoketiOptions into, String value, String source) {
    long millis = whole(value, source);
    if (millis < 1000) {
      throw new ConfigException(source, "must be at least 1000 (ms), got " + millis);
    }
    into.userAuthenticationTimeoutSeconds = (int) Math.min((millis + 999) / 1000, 86_400);
  }

  private static void webhookBatching(SoketiOptions into, String value, String source) {
    into.batching = truthy(value, source);
    into.batchingSource = source;
  }

  private static void webhookBatchDuration(SoketiOptions into, String value, String source) {
    into.batchDuration = whole(value, source);
    into.batchDurationSource = source;
  }

  private static void maxConnections(SoketiOptions into, String value, String source) {
    // Soketi reads 0 (and anything not a number) as no limit, like -1.
    into.appWide.put(
        "max_connections", Integer.toString(Math.max(whole(value, source), 0)), source);
  }

  private static void enableClientMessages(SoketiOptions into, String value, String source) {
    into.appWide.put(
        "accept_client_events_from", truthy(value, source) ? "members" : "none", source);
  }

  private static void maxReadRequests(SoketiOptions into, String value, String source) {
    if (whole(value, source) >= 0) {
      warn(source, "ignored: Herald does not limit HTTP API reads");
    }
  }

  private static void enableUserAuthentication(SoketiOptions into, String value, String source) {
    into.appWide.put(
        "user_authentication_timeout",
        truthy(value, source) ? Integer.toString(into.userAuthenticationTimeoutSeconds) : "0",
        source);
  }

  /** Soketi's webhook list is Herald's, less AWS Lambda targets. */
  private static void webhooks(SoketiOptions into, String value, String source) {
    if (value.contains("\"lambda_function\"") || value.contains("\"lambda\"")) {
      throw new ConfigException(
          source, "not supported: Herald posts webhooks to URLs; AWS Lambda targets are not sent");
    }
    into.appWide.put("webhooks", value, source);
  }

  // ---- values

  private static boolean truthy(String value, String source) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "" -> false;
      default -> throw new ConfigException(source, "must be true or false, got \"" + value + "\"");
    };
  }

  private static int whole(String value, String source) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(source, "must be a whole number, got \"" + value + "\"");
    }
  }

  private static double number(String value, String source, String unit) {
    double parsed;
    try {
      parsed = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(source, "must be a number of " + unit + ", got \"" + value + "\"");
    }
    if (!(parsed > 0) || Double.isInfinite(parsed)) {
      throw new ConfigException(source, "must be a positive number of " + unit + ", got " + value);
    }
    return parsed;
  }

  /** Soketi's KB are 1024 bytes, fractions allowed ({@code parseFloat}). */
  private static String kilobytes(String value, String source) {
    return Long.toString((long) Math.floor(number(value, source, "KB") * 1024));
  }

  /** A Soketi setting passed over: logged once at start-up, naming where it was given. */
  static void warn(String source, String reason) {
    LOG.warning(source + ": " + reason);
  }
}
