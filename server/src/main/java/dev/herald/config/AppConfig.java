package dev.herald.config;

/**
 * One application: credentials and per-app limits. Immutable.
 *
 * @param maxConnections 0 means unlimited
 * @param clientEventRateLimit client events per second per connection; 0 means unlimited
 */
public record AppConfig(
    String id,
    String key,
    String secret,
    boolean enabled,
    int activityTimeout,
    int pingInterval,
    int pongTimeout,
    int maxConnections,
    int maxMessageSize,
    ClientEventsPolicy acceptClientEventsFrom,
    int clientEventRateLimit,
    int maxPresenceMembers,
    int maxPresenceMemberSize,
    int maxChannelNameLength,
    int maxEventPayload,
    int cacheTtl,
    int userAuthenticationTimeout,
    int maxSubscriptionsPerConnection,
    int maxBackendEventsPerSecond,
    int maxChannelsPerEvent,
    int maxBatchSize,
    int maxEventNameLength,
    AllowedOrigins allowedOrigins,
    java.util.List<WebhookTarget> webhooks) {

  public AppConfig {
    webhooks = java.util.List.copyOf(webhooks);
  }

  /** An app with these credentials and every other setting at its default. */
  public static AppConfig withDefaults(String id, String key, String secret) {
    Section section = new Section("app " + id);
    section.put("id", id, "id");
    section.put("key", key, "key");
    section.put("secret", secret, "secret");
    return from(section);
  }

  /** Parses one app's settings; {@code source} names where they came from in error messages. */
  public static AppConfig fromSettings(java.util.Map<String, String> settings, String source) {
    Section section = new Section(source);
    settings.forEach(
        (key, value) -> {
          if (!Settings.APP_KEYS.contains(key)) {
            throw new ConfigException(
                source + "." + key,
                "unknown key; known keys: " + new java.util.TreeSet<>(Settings.APP_KEYS));
          }
          section.put(key, value, source + "." + key);
        });
    return from(section);
  }

  static AppConfig from(Section section) {
    return new AppConfig(
        section.requiredString("id"),
        section.requiredString("key"),
        section.requiredString("secret"),
        section.bool("enabled"),
        section.integer("activity_timeout"),
        section.integer("ping_interval"),
        section.integer("pong_timeout"),
        section.integer("max_connections"),
        section.integer("max_message_size"),
        section.oneOf("accept_client_events_from", ClientEventsPolicy.class),
        section.integer("client_event_rate_limit"),
        section.integer("max_presence_members"),
        section.integer("max_presence_member_size"),
        section.integer("max_channel_name_length"),
        section.integer("max_event_payload"),
        section.integer("cache_ttl"),
        section.integer("user_authentication_timeout"),
        section.integer("max_subscriptions_per_connection"),
        section.integer("max_backend_events_per_second"),
        section.integer("max_channels_per_event"),
        section.integer("max_batch_size"),
        section.integer("max_event_name_length"),
        AllowedOrigins.parse(section.string("allowed_origins"), section.source("allowed_origins")),
        WebhookTarget.parseList(section.string("webhooks"), section.source("webhooks")));
  }

  /** The credentials shown for a log line, never the secret. */
  @Override
  public String toString() {
    return "AppConfig[id=" + id + ", key=" + key + "]";
  }
}
