package dev.herald.webhooks;

import dev.herald.config.AppConfig;

/**
 * Where the server reports webhook events. Never blocks and never fails the caller: delivery
 * happens later, elsewhere. Thread-safe.
 */
public interface Webhooks {
  void emit(AppConfig app, WebhookEvent event);

  /** For a server without webhook support wired in (tests of other parts). */
  Webhooks NONE = (app, event) -> {};
}
