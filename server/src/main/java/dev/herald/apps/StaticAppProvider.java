package dev.herald.apps;

import dev.herald.config.AppConfig;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Apps fixed at start-up from the configuration file and environment. Immutable, thread-safe. */
public final class StaticAppProvider implements AppProvider {
  private final Map<String, AppConfig> byKey;
  private final Map<String, AppConfig> byId;

  public StaticAppProvider(Collection<AppConfig> apps) {
    this.byKey =
        apps.stream().collect(Collectors.toUnmodifiableMap(AppConfig::key, Function.identity()));
    this.byId =
        apps.stream().collect(Collectors.toUnmodifiableMap(AppConfig::id, Function.identity()));
  }

  @Override
  public Future<Optional<AppConfig>> findByKey(String key) {
    return Future.succeededFuture(Optional.ofNullable(byKey.get(key)));
  }

  @Override
  public Future<Optional<AppConfig>> findById(String id) {
    return Future.succeededFuture(Optional.ofNullable(byId.get(id)));
  }
}
