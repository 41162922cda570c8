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
}
