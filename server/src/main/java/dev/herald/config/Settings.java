package dev.herald.config;

import dev.herald.config.Setting.Range;
import dev.herald.config.Setting.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogue of every setting Herald reads, each written once: its file key, environment names
 * in precedence order, default, bounds and meaning. The loader maps the environment through it, the
 * config file's keys are checked against it, whole numbers take their default and bounds from it,
 * {@code --env-names} lists it, and {@code SettingsCatalogueTest} holds the configuration reference
 * and {@code config/herald.example.yaml} to it. Settings whose checks go beyond a type and bounds
 * (URLs, paths, tokens, lists) are parsed by their record ({@link ServerConfig}, {@link AppConfig},
 * ...), which takes the key and default from here. Stateless.
 */
public final class Settings {

  private Settings() {}

  private static final int MB = 1024 * 1024;

  /** Every setting, in the order {@code --env-names} lists their variables. */
  public static final List<Setting> ALL =
      List.of(
          text(Scope.SERVER, "host", "0.0.0.0", null, "address to listen on", "REVERB_SERVER_HOST"),
          number(
                  Scope.SERVER,
                  "port",
                  8080,
                  0,
                  65_535,
                  null,
                  "port for WebSockets and the HTTP API (0 = any free port)",
                  "REVERB_SERVER_PORT")
              .withSoketiDefault("6001"),
          text(
              Scope.SERVER,
              "path",
              "",
              "`\"\"`",
              "mount prefix: /ws serves /ws/app/{key} and /ws/apps/{id}/...",
              "REVERB_SERVER_PATH"),
          number(
                  Scope.SERVER,
                  "max_request_size",
                  262_144,
                  1024,
                  64 * MB,
                  null,
                  "largest HTTP API request body in bytes (413 above)",
                  "REVERB_MAX_REQUEST_SIZE")
              .withSoketiDefault(Integer.toString(2 * MB)),
          number(
              Scope.SERVER,
              "event_loops",
              0,
              0,
              1024,
              "CPU cores",
              "event loops (one server verticle each); 0 = one per core",
              "HERALD_EVENT_LOOPS"),
          text(
              Scope.SERVER,
              "tls_cert",
              null,
              "none",
              "PEM certificate (chain); with tls_key the port serves only wss:// and https://",
              "HERALD_TLS_CERT"),
          text(
              Scope.SERVER,
              "tls_key",
              null,
              "none",
              "PEM private key of tls_cert",
              "HERALD_TLS_KEY"),
          text(
              Scope.SERVER,
              "tls_self_signed",
              "false",
              "off",
              "generate a development certificate at start (--tls-self-signed)"),
          text(
              Scope.SERVER,
              "tls_self_signed_cert_out",
              null,
              "none",
              "write the generated certificate's PEM here",
              "HERALD_TLS_SELF_SIGNED_CERT_OUT"),
          text(
              Scope.SERVER,
              "apps_database_url",
              null,
              "none",
              "read apps from a table: postgresql://, mysql:// or mariadb://",
              "HERALD_APPS_DATABASE_URL"),
          text(
              Scope.SERVER,
              "apps_table",
              "herald_apps",
              null,
              "the apps table",
              "HERALD_APPS_TABLE"),
          number(
              Scope.SERVER,
              "apps_refresh_interval",
              5,
              1,
              3600,
              null,
              "seconds between reads of the apps table",
              "HERALD_APPS_REFRESH_INTERVAL"),
          text(Scope.APP, "id", null, "required", "HTTP API id", "REVERB_APP_ID", "PUSHER_APP_ID")
              .withSoketiDefault("app-id"),
          text(
                  Scope.APP,
                  "key",
                  null,
                  "required",
                  "WebSocket key",
                  "REVERB_APP_KEY",
                  "PUSHER_APP_KEY")
              .withSoketiDefault("app-key"),
          text(
                  Scope.APP,
                  "secret",
                  null,
                  "required",
                  "signs channel auth and API requests",
                  "REVERB_APP_SECRET",
                  "PUSHER_APP_SECRET")
              .withSoketiDefault("app-secret"),
          text(
              Scope.APP,
              "enabled",
              "true",
              null,
              "disabled: WebSocket close 4003, HTTP API 403",
              "HERALD_APP_ENABLED"),
          number(
              Scope.APP,
              "activity_timeout",
              30,
              1,
              3600,
              null,
              "seconds, sent in connection_established; clients ping after this much silence",
              "REVERB_APP_ACTIVITY_TIMEOUT"),
          number(
              Scope.APP,
              "ping_interval",
              60,
              1,
              86_400,
              null,
              "seconds of client silence before the server sends pusher:ping",
              "REVERB_APP_PING_INTERVAL"),
          number(
              Scope.APP,
              "pong_timeout",
              30,
              1,
              3600,
              null,
              "seconds the client has to answer the ping; then close 4201",
              "HERALD_APP_PONG_TIMEOUT"),
          number(
              Scope.APP,
              "max_connections",
              0,
              0,
              Integer.MAX_VALUE,
              "unlimited",
              "connections per app on this node (0 = unlimited); over it: close 4100",
              "REVERB_APP_MAX_CONNECTIONS"),
          number(
              Scope.APP,
              "max_message_size",
              10_000,
              64,
              16 * MB,
              null,
              "bytes per client frame; over it: pusher:error 4300",
              "REVERB_APP_MAX_MESSAGE_SIZE"),
          text(
                  Scope.APP,
                  "accept_client_events_from",
                  "members",
                  null,
                  "who may send client events: members, all or none",
                  "REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM")
              .withSoketiDefault("none"),
          number(
                  Scope.APP,
                  "client_event_rate_limit",
                  10,
                  0,
                  1_000_000,
                  null,
                  "client events per second per connection (0 = unlimited); over it: 4301",
                  "HERALD_APP_CLIENT_EVENT_RATE_LIMIT")
              .withSoketiDefault("0"),
          number(
              Scope.APP,
              "max_presence_members",
              100,
              1,
              1_000_000,
              null,
              "distinct users per presence channel",
              "HERALD_APP_MAX_PRESENCE_MEMBERS"),
          number(
                  Scope.APP,
                  "max_presence_member_size",
                  1024,
                  16,
                  MB,
                  null,
                  "bytes of a presence member's channel_data",
                  "HERALD_APP_MAX_PRESENCE_MEMBER_SIZE")
              .withSoketiDefault("2048"),
          number(
                  Scope.APP,
                  "max_channel_name_length",
                  164,
                  1,
                  1024,
                  null,
                  "characters of a channel name",
                  "HERALD_APP_MAX_CHANNEL_NAME_LENGTH")
              .withSoketiDefault("200"),
          number(
                  Scope.APP,
                  "max_event_payload",
                  10_240,
                  1,
                  16 * MB,
                  null,
                  "bytes of an HTTP API event's data (413 above)",
                  "HERALD_APP_MAX_EVENT_PAYLOAD")
              .withSoketiDefault(Integer.toString(100 * 1024)),
          number(
                  Scope.APP,
                  "cache_ttl",
                  1800,
                  1,
                  30 * 86_400,
                  null,
                  "seconds a cache channel keeps its last event",
                  "HERALD_APP_CACHE_TTL")
              .withSoketiDefault("3600"),
          number(
              Scope.APP,
              "user_authentication_timeout",
              0,
              0,
              86_400,
              "off (`0`)",
              "seconds a connection has to sign in or join a private channel; then close 4009",
              "HERALD_APP_USER_AUTHENTICATION_TIMEOUT"),
          number(
              Scope.APP,
              "max_subscriptions_per_connection",
              1000,
              1,
              1_000_000,
              null,
              "channels one connection may subscribe to",
              "HERALD_APP_MAX_SUBSCRIPTIONS_PER_CONNECTION"),
          number(
              Scope.APP,
              "max_backend_events_per_second",
              0,
              0,
              100_000_000,
              "unlimited (`0`)",
              "messages (events x channels) the HTTP API accepts per second per node; over it: 429",
              "HERALD_APP_MAX_BACKEND_EVENTS_PER_SECOND"),
          number(
              Scope.APP,
              "max_channels_per_event",
              100,
              1,
              10_000,
              null,
              "channels of one POST events (400 above)",
              "HERALD_APP_MAX_CHANNELS_PER_EVENT"),
          number(
              Scope.APP,
              "max_batch_size",
              10,
              1,
              10_000,
              null,
              "events of one POST batch_events (400 above)",
              "HERALD_APP_MAX_BATCH_SIZE"),
          number(
              Scope.APP,
              "max_event_name_length",
              200,
              1,
              10_000,
              null,
              "characters of an event name",
              "HERALD_APP_MAX_EVENT_NAME_LENGTH"),
          text(
              Scope.APP,
              "allowed_origins",
              "*",
              null,
              "browser origins allowed to connect (comma list); others get close 4009",
              "HERALD_APP_ALLOWED_ORIGINS"),
          text(
              Scope.APP,
              "webhooks",
              "[]",
              "none",
              "where to post Pusher webhooks for this app (a JSON list)",
              "HERALD_APP_WEBHOOKS"),
          number(
                  Scope.SERVER,
                  "webhook_batch_ms",
                  50,
                  0,
                  60_000,
                  null,
                  "events for one target within this window share a request",
                  "HERALD_WEBHOOK_BATCH_MS")
              .withSoketiDefault("0"),
          number(
              Scope.SERVER,
              "webhook_batch_max",
              50,
              1,
              10_000,
              null,
              "most events per webhook request",
              "HERALD_WEBHOOK_BATCH_MAX"),
          number(
              Scope.SERVER,
              "webhook_timeout_ms",
              5_000,
              100,
              120_000,
              null,
              "one webhook request's time limit",
              "HERALD_WEBHOOK_TIMEOUT_MS"),
          number(
              Scope.SERVER,
              "webhook_retry_seconds",
              300,
              0,
              86_400,
              null,
              "how long a failing webhook request is retried",
              "HERALD_WEBHOOK_RETRY_SECONDS"),
          number(
              Scope.SERVER,
              "webhook_queue_size",
              10_000,
              1,
              10_000_000,
              null,
              "undelivered events kept per target in memory",
              "HERALD_WEBHOOK_QUEUE_SIZE"),
          number(
              Scope.SERVER,
              "webhook_leave_delay_ms",
              1_000,
              0,
              60_000,
              null,
              "how long channel_vacated and member_removed wait for a return",
              "HERALD_WEBHOOK_LEAVE_DELAY_MS"),
          text(
              Scope.SERVER,
              "scaling",
              "",
              "none (one node)",
              "redis: share state with the other nodes; none: one node",
              "HERALD_SCALING"),
          text(
              Scope.SERVER,
              "reverb_scaling_enabled",
              "false",
              null,
              "true is HERALD_SCALING=redis (Reverb's name)",
              "REVERB_SCALING_ENABLED"),
          text(
              Scope.SERVER,
              "redis_url",
              null,
              "none",
              "redis://[user:password@]host:port[/db] or rediss://",
              "REDIS_URL"),
          text(Scope.SERVER, "redis_host", "127.0.0.1", null, "Redis host", "REDIS_HOST"),
          number(Scope.SERVER, "redis_port", 6379, 1, 65_535, null, "Redis port", "REDIS_PORT"),
          text(
              Scope.SERVER,
              "redis_username",
              null,
              "none",
              "Redis ACL user name",
              "REDIS_USERNAME"),
          text(
              Scope.SERVER,
              "redis_password",
              null,
              "none",
              "Redis password (null means none)",
              "REDIS_PASSWORD"),
          number(Scope.SERVER, "redis_db", 0, 0, 1024, null, "Redis database number", "REDIS_DB"),
          text(
              Scope.SERVER,
              "redis_tls",
              "false",
              null,
              "TLS to Redis, as rediss:// does",
              "HERALD_REDIS_TLS"),
          text(
              Scope.SERVER,
              "redis_tls_ca_file",
              null,
              "the JVM's trust store",
              "PEM CA certificates the Redis server's certificate must chain to",
              "HERALD_REDIS_TLS_CA_FILE"),
          text(
              Scope.SERVER,
              "redis_tls_cert_file",
              null,
              "none",
              "PEM client certificate for Redis (with redis_tls_key_file)",
              "HERALD_REDIS_TLS_CERT_FILE"),
          text(
              Scope.SERVER,
              "redis_tls_key_file",
              null,
              "none",
              "PEM client key for Redis (with redis_tls_cert_file)",
              "HERALD_REDIS_TLS_KEY_FILE"),
          text(
              Scope.SERVER,
              "redis_topology",
              null,
              "inferred",
              "standalone, sentinel or cluster; inferred from which list is set",
              "HERALD_REDIS_TOPOLOGY"),
          // REDIS_SENTINEL_HOST / _SERVICE: the names of Laravel's Predis and Sentinel packages.
          text(
              Scope.SERVER,
              "redis_sentinels",
              null,
              "none",
              "sentinels as host[:port] (26379 by default) or redis[s]:// URLs",
              "HERALD_REDIS_SENTINELS",
              "REDIS_SENTINEL_HOST"),
          text(
                  Scope.SERVER,
                  "redis_sentinel_master",
                  null,
                  "none (required with Sentinel)",
                  "the name the sentinels monitor the master under",
                  "HERALD_REDIS_SENTINEL_MASTER",
                  "REDIS_SENTINEL_SERVICE")
              // Read only with sentinels: the name ioredis asks them for.
              .withSoketiDefault("mymaster"),
          text(
              Scope.SERVER,
              "redis_cluster_nodes",
              null,
              "none",
              "Redis Cluster seeds (host[:port] or URLs)",
              "HERALD_REDIS_CLUSTER_NODES"),
          text(
              Scope.SERVER,
              "redis_prefix",
              null,
              "derived from the app set",
              "prefix of every Redis key and pub/sub channel",
              "HERALD_REDIS_PREFIX"),
          number(
              Scope.SERVER,
              "node_heartbeat_seconds",
              2,
              1,
              60,
              null,
              "how often a node writes its heartbeat",
              "HERALD_NODE_HEARTBEAT_SECONDS"),
          number(
              Scope.SERVER,
              "node_timeout_seconds",
              10,
              2,
              3600,
              null,
              "a node silent this long is declared dead (longer than the heartbeat)",
              "HERALD_NODE_TIMEOUT_SECONDS"),
          number(
              Scope.SERVER,
              "redis_ping_interval_ms",
              1000,
              100,
              60_000,
              null,
              "how often a node PINGs each Redis connection",
              "HERALD_REDIS_PING_INTERVAL_MS"),
          number(
              Scope.SERVER,
              "redis_ping_timeout_ms",
              2000,
              100,
              60_000,
              null,
              "a Redis connection with no answer within this counts as lost",
              "HERALD_REDIS_PING_TIMEOUT_MS"),
          text(
                  Scope.SERVER,
                  "metrics_enabled",
                  "true",
                  null,
                  "false removes /metrics",
                  "HERALD_METRICS_ENABLED")
              .withSoketiDefault("false"),
          number(
                  Scope.SERVER,
                  "metrics_port",
                  0,
                  0,
                  65_535,
                  "same port",
                  "serve /metrics, /up and /ready on a port of their own (0 = the main port)",
                  "HERALD_METRICS_PORT")
              .withSoketiDefault("9601"),
          text(
                  Scope.SERVER,
                  "metrics_prefix",
                  "herald",
                  null,
                  "prefix of metric names (soketi gives Soketi's names)",
                  "HERALD_METRICS_PREFIX")
              .withSoketiDefault("soketi"),
          number(
                  Scope.SERVER,
                  "drain_seconds",
                  5,
                  0,
                  3600,
                  null,
                  "on SIGTERM, connections are asked to reconnect spread over this long",
                  "HERALD_DRAIN_SECONDS")
              .withSoketiDefault("3"),
          text(
              Scope.SERVER,
              "debug",
              "false",
              null,
              "log every frame in and out (--debug)",
              "HERALD_DEBUG"),
          text(
              Scope.SERVER,
              "log_format",
              "plain",
              null,
              "plain or json (--log-format)",
              "HERALD_LOG_FORMAT"),
          text(
              Scope.SERVER,
              "console_token",
              null,
              "none (console off)",
              "at least 16 characters: turns on the debug console",
              "HERALD_CONSOLE_TOKEN"),
          text(
              Scope.SERVER,
              "console_on_metrics_port",
              "false",
              null,
              "serve the debug console on metrics_port instead of the public port",
              "HERALD_CONSOLE_ON_METRICS_PORT"),
          number(
              Scope.SERVER,
              "connections_per_ip_per_second",
              0,
              0,
              1_000_000,
              "off (`0`)",
              "WebSocket handshakes one client address may start per second; over it: 429",
              "HERALD_CONNECTIONS_PER_IP_PER_SECOND"),
          text(
              Scope.SERVER,
              "trusted_proxies",
              "",
              "none",
              "proxies (IPs, CIDR blocks) whose X-Forwarded-For names the client",
              "HERALD_TRUSTED_PROXIES"),
          number(
              Scope.SERVER,
              "request_timeout",
              10,
              1,
              3600,
              null,
              "seconds for a complete request head, and for its body after it",
              "HERALD_REQUEST_TIMEOUT"),
          number(
              Scope.SERVER,
              "keep_alive_timeout",
              180,
              1,
              86_400,
              null,
              "seconds an idle HTTP keep-alive connection is kept",
              "HERALD_KEEP_ALIVE_TIMEOUT"),
          number(
              Scope.SERVER,
              "max_connections_per_ip",
              0,
              0,
              10_000_000,
              "off (`0`)",
              "WebSockets one client address may hold at once; over it: 429",
              "HERALD_MAX_CONNECTIONS_PER_IP"),
          text(
              Scope.SERVER,
              "dns_servers",
              "",
              "the system's (`/etc/resolv.conf`)",
              "DNS servers (IP literals, optional port) for webhook, Redis and database hosts",
              "HERALD_DNS_SERVERS"),
          number(
              Scope.SERVER,
              "max_websocket_message_size",
              0,
              0,
              64 * MB,
              "automatic",
              "largest WebSocket message of any connection (0 = automatic); over it: close 1009",
              "HERALD_MAX_WEBSOCKET_MESSAGE_SIZE"));

  private static final Map<String, Setting> BY_KEY = byKey();

  /** The file keys of a config file's {@code server:} map. */
  public static final Set<String> SERVER_KEYS = keys(Scope.SERVER);

  /** The file keys of one app. */
  public static final Set<String> APP_KEYS = keys(Scope.APP);

  /** The settings of {@code scope} with a default of Soketi's own, in catalogue order. */
  public static List<Setting> withSoketiDefaults(Scope scope) {
    return ALL.stream().filter(s -> s.scope() == scope && s.soketiDefault() != null).toList();
  }

  /** The setting with this file key; a key not in the catalogue is a programming error. */
  public static Setting named(String key) {
    Setting setting = BY_KEY.get(key);
    if (setting == null) {
      throw new IllegalArgumentException("no setting " + key + " in the catalogue");
    }
    return setting;
  }

  /** Every setting's environment variables in catalogue order, each setting's winner first. */
  public static List<String> envNames() {
    List<String> names = new ArrayList<>();
    ALL.forEach(setting -> names.addAll(setting.envNames()));
    return names;
  }

  private static Map<String, Setting> byKey() {
    Map<String, Setting> map = new LinkedHashMap<>();
    for (Setting setting : ALL) {
      if (map.put(setting.key(), setting) != null) {
        throw new IllegalStateException("setting " + setting.key() + " listed twice");
      }
    }
    return map;
  }

  private static Set<String> keys(Scope scope) {
    Set<String> keys = new LinkedHashSet<>();
    ALL.stream().filter(s -> s.scope() == scope).forEach(s -> keys.add(s.key()));
    return java.util.Collections.unmodifiableSet(keys);
  }

  private static Setting text(
      Scope scope, String key, String defaultValue, String shown, String doc, String... env) {
    return new Setting(
        scope, key, List.of(env), defaultValue, shown(defaultValue, shown), null, doc, null);
  }

  private static Setting number(
      Scope scope,
      String key,
      int defaultValue,
      int min,
      int max,
      String shown,
      String doc,
      String... env) {
    String text = Integer.toString(defaultValue);
    return new Setting(
        scope, key, List.of(env), text, shown(text, shown), new Range(min, max), doc, null);
  }

  private static String shown(String defaultValue, String shown) {
    return shown != null ? shown : "`" + defaultValue + "`";
  }
}
