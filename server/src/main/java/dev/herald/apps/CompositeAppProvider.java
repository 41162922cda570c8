package dev.herald.apps;

import dev.herald.config.AppConfig;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Asks several providers in order; the first that knows the app answers. Thread-safe. */
public final class CompositeAppProvider implements AppProvider {
  private final List<AppProvider> providers;

  public CompositeAppProvider(List<AppProvider> providers) {
    this.providers = List.copyOf(providers);
  }

  @Override
  public Future<Optional<AppConfig>> findByKey(String key) {
    return find(provider -> provider.findByKey(key), 0);
  }

  @Override
  public Future<Optional<AppConfig>> findById(String id) {
    return find(provider -> provider.findById(id), 0);
  }

  @Override
  public AppConfig current(AppConfig app) {
    for (AppProvider provider : providers) {
      AppConfig now = provider.current(app);
      if (now != app) {
        return now;
      }
    }
    return app;
  }

  private Future<Optional<AppConfig>> find(
      Function<AppProvider, Future<Optional<AppConfig>>> lookup, int index) {
    if (index == providers.size()) {
      return Future.succeededFuture(Optional.empty());
    }
    return lookup
        .apply(providers.get(index))
        .compose(
            found -> found.isPresent() ? Future.succeededFuture(found) : find(lookup, index + 1));
  }
}
