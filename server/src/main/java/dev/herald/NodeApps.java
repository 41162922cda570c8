package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.apps.CompositeAppProvider;
import dev.herald.apps.DatabaseAppProvider;
import dev.herald.apps.StaticAppProvider;
import dev.herald.config.AppConfig;
import dev.herald.config.HeraldConfig;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Broadcaster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The apps this node serves: those of the configuration, and those of a database table when one is
 * configured. A database app that is deleted or disabled has its connections closed on every node.
 * Thread-safe.
 */
final class NodeApps {
  private final List<AppConfig> configured;
  private final Optional<DatabaseAppProvider> database;
  private final AppProvider provider;

  private NodeApps(
      List<AppConfig> configured, Optional<DatabaseAppProvider> database, AppProvider provider) {
    this.configured = configured;
    this.database = database;
    this.provider = provider;
  }

  /**
   * @param maxWebSocketMessage the node's largest message; database rows over it are served with it
   */
  static NodeApps create(
      Vertx vertx, HeraldConfig config, int maxWebSocketMessage, Broadcaster broadcaster) {
    AppProvider configured = new StaticAppProvider(config.apps());
    if (!config.server().database().enabled()) {
      return new NodeApps(config.apps(), Optional.empty(), configured);
    }
    DatabaseAppProvider database =
        new DatabaseAppProvider(
            vertx,
            config.server().database(),
            maxWebSocketMessage,
            (app, change) -> {
              if (change == DatabaseAppProvider.Change.DELETED) {
                broadcaster.closeApp(app.id(), ErrorCode.UNKNOWN_APP, "App was deleted");
              } else {
                broadcaster.closeApp(app.id(), ErrorCode.APP_DISABLED, "App was disabled");
              }
            });
    return new NodeApps(
        config.apps(),
        Optional.of(database),
        new CompositeAppProvider(List.of(configured, database)));
  }

  AppProvider provider() {
    return provider;
  }

  /** The configured apps (not the database's), whose stored webhook batches resume at start. */
  List<AppConfig> configured() {
    return configured;
  }

  /** Reads the database table the first time, when there is one. */
  Future<Void> start() {
    return database.map(DatabaseAppProvider::start).orElse(Future.succeededFuture());
  }

  /** Every app this node serves, for the console. */
  Collection<AppConfig> all() {
    List<AppConfig> all = new ArrayList<>(configured);
    database.ifPresent(table -> all.addAll(table.apps()));
    return all;
  }

  /** How many apps the database provided at the last read, or -1 without a database. */
  int databaseCount() {
    return database.map(DatabaseAppProvider::size).orElse(-1);
  }
}
