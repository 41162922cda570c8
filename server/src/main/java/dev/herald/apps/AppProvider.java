package dev.herald.apps;

import dev.herald.config.AppConfig;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where apps come from. Lookups return futures so that a provider backed by a database never blocks
 * an event loop. Implementations are thread-safe.
 */
public interface AppProvider {

  /** The app whose WebSocket key is {@code key}. */
  Future<Optional<AppConfig>> findByKey(String key);

  /** The app whose HTTP API id is {@code id}. */
  Future<Optional<AppConfig>> findById(String id);

  /**
   * The newest version of an app this provider served, or {@code app} itself when it has none
   * newer. Answers at once from memory (never waits for a database), so holders of an app found
   * earlier (a connection, a webhook queue) can use its current secret and settings.
   */
  default AppConfig current(AppConfig app) {
    return app;
  }
}
