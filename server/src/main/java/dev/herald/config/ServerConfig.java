package dev.herald.config;

/**
 * Node-wide settings. Immutable.
 *
 * @param path mount prefix for everything ("" or "/something", no trailing slash)
 * @param maxRequestSize largest HTTP request body in bytes
 * @param eventLoops number of event loops (one verticle each); 0 means one per core
 * @param trustedProxies proxies whose X-Forwarded-For names the client (none by default)
 * @param connections time limits and per-address caps of client connections, DNS, and the WebSocket
 *     message ceiling
 */
public record ServerConfig(
    String host,
    int port,
    String path,
    int maxRequestSize,
    int eventLoops,
    TlsConfig tls,
    DatabaseAppsConfig database,
    WebhookSettings webhooks,
    ScalingConfig scaling,
    boolean metricsEnabled,
    int metricsPort,
    String metricsPrefix,
    int drainSeconds,
    boolean debug,
    boolean jsonLogs,
    String consoleToken,
    boolean consoleOnMetricsPort,
    int connectionsPerIpPerSecond,
    TrustedProxies trustedProxies,
    ConnectionSettings connections) {

  static ServerConfig from(Section section, String defaultRedisPrefix) {
    return new ServerConfig(
        section.string("host"),
        section.integer("port"),
        normalisePath(section.string("path")),
        section.integer("max_request_size"),
        section.integer("event_loops"),
        TlsConfig.from(section),
        DatabaseAppsConfig.from(section),
        WebhookSettings.from(section),
        ScalingConfig.from(section, defaultRedisPrefix),
        section.bool("metrics_enabled"),
        section.integer("metrics_port"),
        metricsPrefix(section),
        section.integer("drain_seconds"),
        section.bool("debug"),
        section.oneOf("log_format", LogFormat.class) == LogFormat.JSON,
        consoleToken(section),
        consoleOnMetricsPort(section),
        section.integer("connections_per_ip_per_second"),
        TrustedProxies.parse(section.string("trusted_proxies"), section.source("trusted_proxies")),
        ConnectionSettings.from(section));
  }

  /** The debug console's token, or null: the console is off unless one is set. */
  private static String consoleToken(Section section) {
    String token = section.string("console_token").trim();
    if (token.isEmpty()) {
      return null;
    }
    if (token.length() < 16) {
      throw new ConfigException(
          section.source("console_token"), "must be at least 16 characters (it guards live data)");
    }
    return token;
  }

  /**
   * Whether the console is served on the metrics port instead of the public one: a port kept off
   * the public load balancer, so the console is reachable only from inside.
   */
  private static boolean consoleOnMetricsPort(Section section) {
    boolean wanted = section.bool("console_on_metrics_port");
    if (wanted && (section.integer("metrics_port") == 0 || !section.bool("metrics_enabled"))) {
      throw new ConfigException(
          section.source("console_on_metrics_port"),
          "needs metrics enabled on a port of their own ("
              + Settings.named("metrics_port").names()
              + ")");
    }
    return wanted;
  }

  /** How log lines are written. */
  enum LogFormat {
    PLAIN,
    JSON
  }

  private static String metricsPrefix(Section section) {
    String prefix = section.string("metrics_prefix").trim();
    if (!prefix.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      throw new ConfigException(
          section.source("metrics_prefix"), "must be a Prometheus name like herald or soketi");
    }
    return prefix;
  }

  private static String normalisePath(String path) {
    String trimmed = path.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (!trimmed.isEmpty() && !trimmed.startsWith("/")) {
      trimmed = "/" + trimmed;
    }
    return trimmed;
  }
}
