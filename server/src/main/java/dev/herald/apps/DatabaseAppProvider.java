package dev.herald.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.AppConfig;
import dev.herald.config.ConfigException;
import dev.herald.config.DatabaseAppsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Apps read from a table in PostgreSQL or MySQL/MariaDB with Vert.x's non-blocking SQL clients, and
 * read again every refresh interval. Lookups answer from the latest snapshot, so they never wait
 * for the database. Thread-safe: the snapshot is an immutable map swapped atomically.
 *
 * <p>Table: {@code id}, {@code app_key}, {@code secret}, {@code enabled}, and {@code options}, a
 * JSON object with any per-app setting of the configuration file. A row with a bad setting is
 * skipped with a warning; the others are served.
 */
public final class DatabaseAppProvider implements AppProvider {
  private static final Logger LOG = Logger.getLogger(DatabaseAppProvider.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What changed for an app between two reads, for the server to act on. */
  public enum Change {
    DELETED,
    DISABLED
  }

  /** Told about apps that were deleted or disabled, so their connections can be closed. */
  public interface Listener {
    void changed(AppConfig app, Change change);
  }

  private record Snapshot(Map<String, AppConfig> byKey, Map<String, AppConfig> byId) {
    static Snapshot of(List<AppConfig> apps) {
      return new Snapshot(
          apps.stream()
              .collect(
                  Collectors.toUnmodifiableMap(AppConfig::key, Function.identity(), (a, b) -> a)),
          apps.stream()
              .collect(
                  Collectors.toUnmodifiableMap(AppConfig::id, Function.identity(), (a, b) -> a)));
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final DatabaseAppsConfig config;
  private final String query;
  private final Listener listener;
  private volatile Snapshot snapshot = Snapshot.of(List.of());

  /** The server's WebSocket message ceiling: no row's {@code max_message_size} may exceed it. */
  private final int maxMessageCeiling;

  public DatabaseAppProvider(
      Vertx vertx, DatabaseAppsConfig config, int maxMessageCeiling, Listener listener) {
    this.vertx = vertx;
    this.config = config;
    this.maxMessageCeiling = maxMessageCeiling;
    this.listener = listener;
    this.pool = createPool(vertx, config.url());
    this.query = "SELECT id, app_key, secret, enabled, options FROM " + config.table();
  }

  private static Pool createPool(Vertx vertx, String url) {
    PoolOptions poolOptions = new PoolOptions().setMaxSize(2);
    try {
      if (url.startsWith("postgres")) {
        return PgBuilder.pool()
            .with(poolOptions)
            .connectingTo(PgConnectOptions.fromUri(url))
            .using(vertx)
            .build();
      }
      String mysqlUrl =
          url.startsWith("mariadb:") ? "mysql:" + url.substring("mariadb:".length()) : url;
      return MySQLBuilder.pool()
          .with(poolOptions)
          .connectingTo(MySQLConnectOptions.fromUri(mysqlUrl))
          .using(vertx)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "env HERALD_APPS_DATABASE_URL", "cannot be used: " + e.getMessage());
    }
  }

  /** Reads the table once (failing if it cannot), then keeps re-reading it in the background. */
  public Future<Void> start() {
    return refresh()
        .recover(
            error ->
                Future.failedFuture(
                    "cannot read apps from table "
                        + config.table()
                        + " at "
                        + redacted(config.url())
                        + ": "
                        + error.getMessage()))
        .onSuccess(
            ignored ->
                vertx.setPeriodic(
                    config.refreshIntervalSeconds() * 1000L,
                    timer ->
                        refresh()
                            .onFailure(
                                error ->
                                    LOG.warning(
                                        "Re-reading apps from "
                                            + config.table()
                                            + " failed, keeping the last ones read: "
                                            + error.getMessage()))));
  }

  public Future<Void> stop() {
    return pool.close();
  }

  /** The apps read last. */
  public java.util.Collection<AppConfig> apps() {
    return snapshot.byId().values();
  }

  public int size() {
    return snapshot.byId().size();
  }

  @Override
  public Future<Optional<AppConfig>> findByKey(String key) {
    return Future.succeededFuture(Optional.ofNullable(snapshot.byKey().get(key)));
  }

  @Override
  public Future<Optional<AppConfig>> findById(String id) {
    return Future.succeededFuture(Optional.ofNullable(snapshot.byId().get(id)));
  }

  private Future<Void> refresh() {
    return pool.query(query).execute().map(this::replaceSnapshot);
  }

  private Void replaceSnapshot(RowSet<Row> rows) {
    List<AppConfig> apps = new ArrayList<>();
    for (Row row : rows) {
      String id = String.valueOf(row.getValue("id"));
      try {
        apps.add(toApp(row, id));
      } catch (ConfigException e) {
        LOG.warning("Skipping app row " + id + " of " + config.table() + ": " + e.getMessage());
      }
    }
    Snapshot previous = snapshot;
    Snapshot next = Snapshot.of(apps);
    snapshot = next;
    for (AppConfig old : previous.byId().values()) {
      AppConfig now = next.byId().get(old.id());
      try {
        if (now == null || !now.key().equals(old.key())) {
          listener.changed(old, Change.DELETED);
        } else if (old.enabled() && !now.enabled()) {
          listener.changed(old, Change.DISABLED);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Acting on a change of app " + old.id() + " failed", e);
      }
    }
    return null;
  }

  private AppConfig toApp(Row row, String id) {
    String source = "table " + config.table() + " row id=" + id;
    Map<String, String> settings = new LinkedHashMap<>();
    Object options = row.getValue("options");
    if (options != null && !String.valueOf(options).isBlank()) {
      JsonNode json;
      try {
        json = MAPPER.readTree(String.valueOf(options));
      } catch (JsonProcessingException e) {
        throw new ConfigException(source + ".options", "not valid JSON");
      }
      if (!json.isObject()) {
        throw new ConfigException(source + ".options", "must be a JSON object");
      }
      json.fields()
          .forEachRemaining(
              field -> {
                JsonNode value = field.getValue();
                if (field.getKey().equals("webhooks")) {
                  settings.put(field.getKey(), value.toString());
                } else if (value.isArray()) {
                  List<String> items = new ArrayList<>();
                  value.forEach(item -> items.add(item.asText()));
                  settings.put(field.getKey(), String.join(",", items));
                } else if (!value.isNull()) {
                  settings.put(field.getKey(), value.asText());
                }
              });
    }
    capMessageSize(settings, source);
    settings.put("id", id);
    settings.put("key", String.valueOf(row.getValue("app_key")));
    settings.put("secret", String.valueOf(row.getValue("secret")));
    Object enabled = row.getValue("enabled");
    if (enabled != null) {
      settings.put(
          "enabled",
          enabled instanceof Number number
              ? String.valueOf(number.intValue() != 0)
              : String.valueOf(enabled));
    }
    return AppConfig.fromSettings(settings, source);
  }

  /**
   * Lowers a row's {@code max_message_size} above the server's WebSocket ceiling to the ceiling:
   * the WebSocket layer drops larger messages whatever the app says, so the app is served with the
   * limit that is really enforced (and a client over it still gets 4300, not a dropped connection,
   * up to the ceiling). The ceiling is fixed when the server starts.
   */
  private void capMessageSize(Map<String, String> settings, String source) {
    String value = settings.get("max_message_size");
    if (value == null) {
      return;
    }
    long requested;
    try {
      requested = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return; // AppConfig refuses it with the usual message.
    }
    if (requested > maxMessageCeiling) {
      LOG.warning(
          source
              + ": max_message_size "
              + requested
              + " is over this server's WebSocket message limit; serving the app with "
              + maxMessageCeiling
              + " (raise HERALD_MAX_WEBSOCKET_MESSAGE_SIZE to allow more)");
      settings.put("max_message_size", Integer.toString(maxMessageCeiling));
    }
  }

  /** The URL without its password, for messages. */
  private static String redacted(String url) {
    return url.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
  }
}
