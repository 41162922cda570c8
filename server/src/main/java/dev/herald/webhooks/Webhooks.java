package dev.herald.webhooks;

import dev.herald.config.AppConfig;

/**
 * Where the server reports webhook events. Never blocks and never fails the caller: delivery
 * happens later, elsewhere. Thread-safe.
 */
public interface Webhooks {
  void emit(AppConfig app, WebhookEvent event);

  /**
   * Whether an event of this name on this channel could reach anyone. Callers ask before building
   * an event (its map, its strings, a client event's decoded data), so an app without webhooks pays
   * for none; an answer of {@code true} only means the event is worth building.
   */
  default boolean wants(AppConfig app, String eventName, String channel) {
    return true;
  }

  /** For a server without webhook support wired in (tests of other parts). */
  Webhooks NONE =
      new Webhooks() {
        @Override
        public void emit(AppConfig app, WebhookEvent event) {}

        @Override
        public boolean wants(AppConfig app, String eventName, String channel) {
          return false;
        }
      };
}
