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
    for (Setting setting : Settings.withSoketiDefaults(Setting.Scope.SERVER)) {
      server.putDefault(setting.key(), setting.soketiDefault(), "Soketi default");
    }
  }

  /**
   * Soketi's app credentials, {@code app-id} / {@code app-key} / {@code app-secret}, for whichever
   * of them an app leaves out: what Soketi serves, so its users' clients connect unchanged.
   */
  static void credentials(Section app) {
    for (String key : CREDENTIALS) {
      app.putDefault(key, Settings.named(key).soketiDefault(), "Soketi default");
    }
  }

  private static final java.util.Set<String> CREDENTIALS = java.util.Set.of("id", "key", "secret");

  /**
   * Soketi's app defaults where they differ from Herald's: client events off (and unlimited when
   * on), 100 KB events, 2 KB presence members, 200-character channel names, a one-hour cache
   * channel TTL; and a WebSocket message limit that lets a client event as large as the payload
   * limit through, as Soketi (whose socket takes 100 MB messages) does.
   */
  static void app(Section app) {
    for (Setting setting : Settings.withSoketiDefaults(Setting.Scope.APP)) {
      if (!CREDENTIALS.contains(setting.key())) {
        app.putDefault(setting.key(), setting.soketiDefault(), "Soketi default");
      }
    }
    // Computed from the payload limit, so not a column of the catalogue.
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
