package dev.herald.config;

/**
 * Soketi's defaults where they differ from Herald's, taken by a configuration given with Soketi's
 * names (a {@code SOKETI_*} variable of Soketi's list, or Soketi's config file) for each setting
 * that no name sets. Stateless.
 */
final class SoketiDefaults {

  private SoketiDefaults() {}

  /**
   * Soketi's server defaults where they differ from Herald's, for every setting not given by any
   * name: port 6001, metrics off but on port 9601 under Soketi's names when on, webhooks sent
   * without batching, a 3 s shutdown grace period, and a request body large enough for a batch of
   * ten 100 KB events.
   */
  static void server(Section server) {
    server.putDefault("port", "6001", "Soketi default");
    server.putDefault("metrics_enabled", "false", "Soketi default");
    server.putDefault("metrics_port", "9601", "Soketi default");
    server.putDefault("metrics_prefix", "soketi", "Soketi default");
    server.putDefault("webhook_batch_ms", "0", "Soketi default");
    server.putDefault("drain_seconds", "3", "Soketi default");
    server.putDefault("max_request_size", Integer.toString(2 * 1024 * 1024), "Soketi default");
  }

  /**
   * Soketi's app credentials, {@code app-id} / {@code app-key} / {@code app-secret}, for whichever
   * of them an app leaves out: what Soketi serves, so its users' clients connect unchanged.
   */
  static void credentials(Section app) {
    app.putDefault("id", "app-id", "Soketi default");
    app.putDefault("key", "app-key", "Soketi default");
    app.putDefault("secret", "app-secret", "Soketi default");
  }

  /**
   * Soketi's app defaults where they differ from Herald's: client events off (and unlimited when
   * on), 100 KB events, 2 KB presence members, 200-character channel names, a one-hour cache
   * channel TTL; and a WebSocket message limit that lets a client event as large as the payload
   * limit through, as Soketi (whose socket takes 100 MB messages) does.
   */
  static void app(Section app) {
    app.putDefault("accept_client_events_from", "none", "Soketi default");
    app.putDefault("client_event_rate_limit", "0", "Soketi default");
    app.putDefault("max_presence_member_size", "2048", "Soketi default");
    app.putDefault("max_channel_name_length", "200", "Soketi default");
    app.putDefault("cache_ttl", "3600", "Soketi default");
    app.putDefault("max_event_payload", Integer.toString(100 * 1024), "Soketi default");
    int payload = app.integer("max_event_payload");
    app.putDefault(
        "max_message_size",
        Integer.toString(Math.min(MAX_MESSAGE, payload + ENVELOPE)),
        "Soketi default (max_event_payload + " + ENVELOPE + ")");
  }

  /** Herald's largest {@code max_message_size}. */
  private static final int MAX_MESSAGE = Settings.named("max_message_size").range().max();

  /** Room for a client event's name, channel and JSON around its data. */
  private static final int ENVELOPE = 4096;
}
