package dev.herald.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.AppConfig;
import dev.herald.config.ConfigException;
import dev.herald.config.DatabaseAppsConfig;
import dev.herald.config.Redacted;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.HashMap;
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
 * skipped with a warning (or, when it was valid before, keeps its last valid version); the others
 * are served.
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

  /** The problems logged at the last read, by row: logged again only when they change. */
  private Map<String, String> reported = Map.of();

  public DatabaseAppProvider(
      Vertx vertx, DatabaseAppsConfig config, int maxMessageCeiling, Listener listener) {
    this.vertx = vertx;
    this.config = config;
    this.maxMessageCeiling = maxMessageCeiling;
    this.listener = listener;
    this.pool = createPool(vertx, config.url());
    // Ordered, so that of two rows with one key the same one wins at every read.
    this.query =
        "SELECT id, app_key, secret, enabled, options FROM " + config.table() + " ORDER BY id";
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
      // The client's message quotes the whole URL, password included.
      throw new ConfigException(
          "env HERALD_APPS_DATABASE_URL",
          "cannot be parsed as a database URL: " + Redacted.url(url));
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
                        + Redacted.url(config.url())
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

  /**
   * Builds the next snapshot from the rows read. A row without id, key or secret is skipped; a
   * second row with a key already taken is skipped; a row whose settings are invalid keeps its last
   * good version when there is one (its clients stay connected while someone fixes the row), and is
   * skipped otherwise. Each problem is logged when it first appears, naming the row by id and never
   * quoting a secret, then not again while it stays the same.
   */
  private synchronized Void replaceSnapshot(RowSet<Row> rows) {
    Snapshot previous = snapshot;
    List<AppConfig> apps = new ArrayList<>();
    Map<String, String> keyOwners = new HashMap<>();
    Map<String, String> problems = new LinkedHashMap<>();
    for (Row row : rows) {
      String id = text(row.getValue("id"));
      String key = text(row.getValue("app_key"));
      if (id == null) {
        problems.put(
            "no-id:" + key,
            "Skipping a row of "
                + config.table()
                + " with no id"
                + (key == null ? "" : " (app_key " + key + ")"));
        continue;
      }
      AppConfig app;
      try {
        app = toApp(row, id, key, problems);
      } catch (ConfigException e) {
        AppConfig lastGood = previous.byId().get(id);
        if (lastGood != null) {
          problems.put(
              id,
              "App row id="
                  + id
                  + " of "
                  + config.table()
                  + " is now invalid ("
                  + e.getMessage()
                  + "); still serving its last valid version");
          app = lastGood;
        } else {
          problems.put(
              id, "Skipping app row id=" + id + " of " + config.table() + ": " + e.getMessage());
          continue;
        }
      }
      String owner = keyOwners.putIfAbsent(app.key(), id);
      if (owner != null) {
        problems.put(
            "dup:" + id,
            "Skipping app row id="
                + id
                + " of "
                + config.table()
                + ": its app_key is already used by row id="
                + owner);
        continue;
      }
      apps.add(app);
    }
    problems.forEach(
        (what, message) -> {
          if (!message.equals(reported.get(what))) {
            LOG.warning(message);
          }
        });
    reported = problems;
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

  /** A column's text, or null when it is NULL or blank (never the string "null"). */
  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    String text = value instanceof Buffer buffer ? buffer.toString() : String.valueOf(value);
    return text.isBlank() ? null : text.trim();
  }

  private AppConfig toApp(Row row, String id, String key, Map<String, String> problems) {
    String source = "table " + config.table() + " row id=" + id;
    if (key == null) {
      throw new ConfigException(source + ".app_key", "is NULL or empty");
    }
    String secret = text(row.getValue("secret"));
    if (secret == null) {
      throw new ConfigException(source + ".secret", "is NULL or empty");
    }
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
    capMessageSize(settings, id, source, problems);
    settings.put("id", id);
    settings.put("key", key);
    settings.put("secret", secret);
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
   * up to the ceiling). The ceiling is fixed when the server starts. The warning goes to {@code
   * problems}, so it is logged once, not at every read.
   */
  private void capMessageSize(
      Map<String, String> settings, String id, String source, Map<String, String> problems) {
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
      problems.put(
          "cap:" + id,
          source
              + ": max_message_size "
              + requested
              + " is over this server's WebSocket message limit; serving the app with "
              + maxMessageCeiling
              + " (raise HERALD_MAX_WEBSOCKET_MESSAGE_SIZE to allow more)");
      settings.put("max_message_size", Integer.toString(maxMessageCeiling));
    }
  }

  /**
   * The newest version of {@code app} read from the table (same id and key), or {@code app} itself:
   * a rotated secret or changed setting reaches holders of an older copy without a restart.
   */
  @Override
  public AppConfig current(AppConfig app) {
    AppConfig now = snapshot.byId().get(app.id());
    return now != null && now.key().equals(app.key()) ? now : app;
  }
}
