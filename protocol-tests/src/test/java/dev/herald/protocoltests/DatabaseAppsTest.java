package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Apps read from a database table ({@code HERALD_APPS_DATABASE_URL}, {@code HERALD_APPS_TABLE}),
 * reloaded every second: against PostgreSQL and MariaDB on their default local ports, each in a
 * uniquely named table dropped afterwards. Skipped when the database is not reachable (failed in
 * the full tier, see {@link Prerequisite}).
 */
class DatabaseAppsTest {

  @Nested
  class Postgres extends DatabaseContract {
    Postgres() {
      super(
          "PostgreSQL",
          "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3",
          "postgresql://postgres@127.0.0.1:5432/test",
          "apt-get install postgresql; a database test that user postgres may reach over TCP"
              + " without a password, as .ci/run sets up");
    }
  }

  @Nested
  class MariaDb extends DatabaseContract {
    MariaDb() {
      super(
          "MariaDB",
          "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=&connectTimeout=3000",
          "mysql://root@127.0.0.1:3306/test",
          "apt-get install mariadb-server; a database test and a user root@127.0.0.1 without a"
              + " password, as .ci/run sets up");
    }
  }

  /** The scenarios, run once per database. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class DatabaseContract {

    private final String database;
    private final String jdbcUrl;
    private final String heraldUrl;
    private final String remedy;
    private final String table =
        "herald_apps_t" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    private HeraldProcess herald;

    DatabaseContract(String database, String jdbcUrl, String heraldUrl, String remedy) {
      this.database = database;
      this.jdbcUrl = jdbcUrl;
      this.heraldUrl = heraldUrl;
      this.remedy = remedy;
    }

    /** One app row's values. */
    record App(String id, String key, String secret) {
      static App unique(String name) {
        String id = Unique.name(name + "-");
        return new App(id, id + "-key", id + "-secret");
      }
    }

    private final App basic = App.unique("basic");
    private final App single = App.unique("single");
    private final App toDisable = App.unique("disable");
    private final App toDelete = App.unique("delete");
    private final App tuned = App.unique("tuned");
    private final App large = App.unique("large");

    /** Why the database cannot be used, or null when it can. */
    private String unreachable;

    @BeforeAll
    void createTableAndStartServer() throws SQLException {
      try (Connection probe = DriverManager.getConnection(jdbcUrl)) {
        probe.isValid(3);
      } catch (SQLException e) {
        unreachable = database + " is not reachable at " + jdbcUrl + ": " + e;
        System.err.println(unreachable);
        return;
      }
      try (Connection connection = connect()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(
              "CREATE TABLE "
                  + table
                  // No NOT NULL or UNIQUE on key and secret: the server must cope with a table
                  // that lacks them.
                  + " (id VARCHAR(100) PRIMARY KEY, app_key VARCHAR(100) NULL,"
                  + " secret VARCHAR(100) NULL, enabled BOOLEAN NOT NULL DEFAULT TRUE,"
                  + " options TEXT NULL)");
        }
      }
      insert(basic, null);
      insert(single, "{\"max_connections\":1}");
      insert(toDisable, null);
      insert(toDelete, null);
      insert(tuned, "{\"activity_timeout\":17}");
      insert(large, "{\"max_message_size\":600000}");
      herald =
          HeraldProcess.withDefaults()
              .env("REVERB_APP_ID", null)
              .env("REVERB_APP_KEY", null)
              .env("REVERB_APP_SECRET", null)
              .env("HERALD_APPS_DATABASE_URL", heraldUrl)
              .env("HERALD_APPS_TABLE", table)
              .env("HERALD_APPS_REFRESH_INTERVAL", "1")
              .start();
    }

    @BeforeEach
    void requireDatabase() {
      Prerequisite.require(unreachable == null, unreachable, remedy);
    }

    @AfterAll
    void stopServerAndDropTable() throws SQLException {
      if (herald != null) {
        herald.close();
      }
      if (unreachable != null) {
        return;
      }
      try (Connection connection = connect();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      } catch (SQLException unreachable) {
        // Nothing was created when the database could not be reached.
      }
    }

    @Test
    void appFromARowAcceptsItsKeyAndSignedApiCallsWithItsIdAndSecret() {
      String channel = Unique.name("db-");
      try (RawClient client = RawClient.open(herald.wsUrl(basic.key()))) {
        client.subscribeOk(channel);
        herald.api(basic.id(), basic.key(), basic.secret()).trigger(channel, "from-db", "1");
        client.assertNext(event(channel, "from-db", "1"));
      }
      ApiClient.Response wrongSecret =
          herald.api(basic.id(), basic.key(), "not-the-secret").get("/channels");
      assertEquals(401, wrongSecret.status(), wrongSecret::body);
    }

    @Test
    void optionsMaxConnectionsOfARowIsHonoured() {
      try (RawClient first = RawClient.open(herald.wsUrl(single.key()))) {
        try (RawClient second = RawClient.connect(herald.wsUrl(single.key()))) {
          assertError(second.awaitJson(), 4100);
          assertEquals(4100, second.awaitClose());
        }
        first.assertPingPong();
        // Other apps are not limited by it.
        try (RawClient a = RawClient.open(herald.wsUrl(basic.key()));
            RawClient b = RawClient.open(herald.wsUrl(basic.key()))) {
          a.assertPingPong();
          b.assertPingPong();
        }
      }
    }

    @Test
    void otherPerAppKeysInOptionsAreHonouredToo() {
      try (RawClient client = RawClient.connect(herald.wsUrl(tuned.key()))) {
        JsonNode established = client.awaitJson();
        assertEquals(
            "pusher:connection_established",
            established.path("event").asText(),
            established::toString);
        assertEquals(
            17, Json.dataOf(established).path("activity_timeout").asInt(), established::toString);
      }
    }

    @Test
    void aRowsMaxMessageSizeIsHonouredUpToTheWebSocketCeiling() {
      String ping = "{\"event\":\"pusher:ping\",\"data\":{\"pad\":\"%s\"}}";
      String pong = "{\"event\":\"pusher:pong\",\"data\":\"{}\"}";
      // The ceiling is fixed at start; HERALD_MAX_WEBSOCKET_MESSAGE_SIZE makes room for the row.
      try (HeraldProcess roomy =
          HeraldProcess.withDefaults()
              .env("HERALD_APPS_DATABASE_URL", heraldUrl)
              .env("HERALD_APPS_TABLE", table)
              .env("HERALD_MAX_WEBSOCKET_MESSAGE_SIZE", "1048576")
              .start()) {
        try (RawClient client = RawClient.open(roomy.wsUrl(large.key()))) {
          client.sendText(String.format(ping, "x".repeat(500_000)));
          client.assertNext(pong);
          client.sendText(String.format(ping, "x".repeat(700_000)));
          assertError(client.awaitJson(), 4300);
          client.assertPingPong();
        }
      }
      // Under the default ceiling (256 KiB) the row is served with the ceiling as its limit.
      try (RawClient client = RawClient.open(herald.wsUrl(large.key()))) {
        client.sendText(String.format(ping, "x".repeat(250_000)));
        client.assertNext(pong);
      }
    }

    @Test
    void appFromTheEnvironmentIsServedAlongsideTheTable() {
      try (HeraldProcess both =
          HeraldProcess.withDefaults()
              .env("HERALD_APPS_DATABASE_URL", heraldUrl)
              .env("HERALD_APPS_TABLE", table)
              .env("HERALD_APPS_REFRESH_INTERVAL", "1")
              .start()) {
        String channel = Unique.name("db-");
        try (RawClient fromEnv = RawClient.open(both.wsUrl());
            RawClient fromTable = RawClient.open(both.wsUrl(basic.key()))) {
          fromEnv.subscribeOk(channel);
          fromTable.subscribeOk(channel);
          both.api().trigger(channel, "env", "1");
          fromEnv.assertNext(event(channel, "env", "1"));
          both.api(basic.id(), basic.key(), basic.secret()).trigger(channel, "table", "2");
          fromTable.assertNext(event(channel, "table", "2"));
          // Same channel name, different apps: nothing crosses over.
          fromEnv.assertPingPong();
        }
      }
    }

    @Test
    void rowInsertedAfterStartBecomesUsable() throws SQLException {
      App late = App.unique("late");
      insert(late, null);
      String channel = Unique.name("db-");
      try (RawClient client = awaitUsable(late.key())) {
        client.subscribeOk(channel);
        herald.api(late.id(), late.key(), late.secret()).trigger(channel, "late", "1");
        client.assertNext(event(channel, "late", "1"));
      }
    }

    @Test
    void disablingARowClosesItsConnectionsWith4003AndRefusesNewOnes() throws SQLException {
      try (RawClient client = RawClient.open(herald.wsUrl(toDisable.key()));
          RawClient otherApp = RawClient.open(herald.wsUrl(basic.key()))) {
        update("UPDATE " + table + " SET enabled = FALSE WHERE id = ?", toDisable.id());
        assertError(client.awaitJson(), 4003);
        assertEquals(4003, client.awaitClose(), () -> "close reason " + client.closeReason());
        otherApp.assertPingPong();
      }
      try (RawClient refused = RawClient.connect(herald.wsUrl(toDisable.key()))) {
        assertError(refused.awaitJson(), 4003);
        assertEquals(4003, refused.awaitClose());
      }
      ApiClient.Response api =
          herald.api(toDisable.id(), toDisable.key(), toDisable.secret()).get("/channels");
      assertEquals(403, api.status(), api::body);
    }

    @Test
    void deletingARowClosesItsConnectionsWith4001AndRefusesNewOnes() throws SQLException {
      try (RawClient client = RawClient.open(herald.wsUrl(toDelete.key()));
          RawClient otherApp = RawClient.open(herald.wsUrl(basic.key()))) {
        update("DELETE FROM " + table + " WHERE id = ?", toDelete.id());
        assertError(client.awaitJson(), 4001);
        assertEquals(4001, client.awaitClose(), () -> "close reason " + client.closeReason());
        otherApp.assertPingPong();
      }
      try (RawClient refused = RawClient.connect(herald.wsUrl(toDelete.key()))) {
        assertError(refused.awaitJson(), 4001);
        assertEquals(4001, refused.awaitClose());
      }
      ApiClient.Response api =
          herald.api(toDelete.id(), toDelete.key(), toDelete.secret()).get("/channels");
      assertEquals(404, api.status(), api::body);
    }

    @Test
    void rowsWithANullOrEmptyKeyOrSecretAreSkippedWithAWarningNamingTheRow() throws SQLException {
      String noSecret = Unique.name("nosecret-");
      String emptySecret = Unique.name("emptysecret-");
      String noKey = Unique.name("nokey-");
      insertRaw(noSecret, noSecret + "-key", null);
      insertRaw(emptySecret, emptySecret + "-key", "");
      insertRaw(noKey, null, "some-secret-" + noKey);
      for (String id : new String[] {noSecret, emptySecret, noKey}) {
        awaitLogged("Skipping app row id=" + id + " ");
      }
      // Not served at all, least of all with the string "null" as its secret.
      try (RawClient refused = RawClient.connect(herald.wsUrl(noSecret + "-key"))) {
        assertError(refused.awaitJson(), 4001);
      }
      ApiClient.Response api = herald.api(noSecret, noSecret + "-key", "null").get("/channels");
      assertEquals(404, api.status(), api::body);
      assertFalse(herald.output().contains("some-secret-" + noKey), herald::output);
      // Logged once, not at every re-read.
      awaitRereads(2);
      assertEquals(
          1,
          herald.output().split("Skipping app row id=" + noSecret + " ", -1).length - 1,
          herald::output);
    }

    @Test
    void aSecondRowWithAKeyAlreadyUsedIsReportedAndTheFirstKeepsServing() throws SQLException {
      String duplicate = "zz-" + Unique.name("dup-");
      insertRaw(duplicate, basic.key(), "the-duplicate-secret");
      awaitLogged(
          "Skipping app row id="
              + duplicate
              + " of "
              + table
              + ": its app_key is already used by row id="
              + basic.id());
      String channel = Unique.name("db-");
      try (RawClient client = RawClient.open(herald.wsUrl(basic.key()))) {
        client.subscribeOk(channel);
        herald.api(basic.id(), basic.key(), basic.secret()).trigger(channel, "still", "1");
        client.assertNext(event(channel, "still", "1"));
      }
      ApiClient.Response api =
          herald.api(duplicate, basic.key(), "the-duplicate-secret").get("/channels");
      assertEquals(404, api.status(), api::body);
    }

    @Test
    void aRowWhoseOptionsBecomeInvalidKeepsServingItsLastGoodVersion() throws SQLException {
      App fragile = App.unique("fragile");
      insert(fragile, "{\"activity_timeout\":19}");
      try (RawClient client = awaitUsable(fragile.key())) {
        update(
            "UPDATE " + table + " SET options = '{\"activity_timeout\":\"soon\"}' WHERE id = ?",
            fragile.id());
        awaitLogged("App row id=" + fragile.id() + " of " + table + " is now invalid (");
        awaitRereads(2);
        // Its client was not closed with 4001, and newcomers get the last good settings.
        client.assertPingPong();
        try (RawClient newcomer = RawClient.connect(herald.wsUrl(fragile.key()))) {
          JsonNode established = newcomer.awaitJson();
          assertEquals(
              19, Json.dataOf(established).path("activity_timeout").asInt(), established::toString);
        }
      }
    }

    @Test
    void aRotatedSecretSignsWebhooksAndChecksAuthWithoutARestart() throws SQLException {
      App rotating = App.unique("rotating");
      String newSecret = rotating.secret() + "-rotated";
      try (WebhookReceiver receiver = WebhookReceiver.start(rotating.key(), newSecret)) {
        insert(
            rotating,
            "{\"webhooks\":[{\"url\":\""
                + receiver.url()
                + "\",\"event_types\":[\"channel_occupied\"]}]}");
        try (RawClient client = awaitUsable(rotating.key())) {
          client.subscribeOk(Unique.name("before-"));
          WebhookReceiver.Request before = receiver.awaitRequest();
          assertEquals(
              Signatures.hmacSha256Hex(rotating.secret(), before.body()),
              before.header("X-Pusher-Signature"));

          update(
              "UPDATE " + table + " SET secret = '" + newSecret + "' WHERE id = ?", rotating.id());
          awaitApiAccepts(herald.api(rotating.id(), rotating.key(), newSecret));
          ApiClient.Response old =
              herald.api(rotating.id(), rotating.key(), rotating.secret()).get("/channels");
          assertEquals(401, old.status(), old::body);

          // The connection opened before the rotation: its next private subscription is checked
          // against the new secret, and the webhook it causes is signed with it.
          String channel = "private-" + Unique.name("after-");
          client.sendJson(
              java.util.Map.of(
                  "event",
                  "pusher:subscribe",
                  "data",
                  java.util.Map.of(
                      "channel",
                      channel,
                      "auth",
                      Signatures.auth(
                          rotating.key(), newSecret, client.socketId() + ":" + channel))));
          JsonNode reply = client.awaitJson();
          assertEquals(
              "pusher_internal:subscription_succeeded",
              reply.path("event").asText(),
              reply::toString);
          WebhookReceiver.Request after = receiver.awaitRequest();
          assertEquals(
              Signatures.hmacSha256Hex(newSecret, after.body()),
              after.header("X-Pusher-Signature"),
              after::toString);
        }
      }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Connection connect() throws SQLException {
      return DriverManager.getConnection(jdbcUrl);
    }

    private void insert(App app, String options) throws SQLException {
      try (Connection connection = connect();
          PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO "
                      + table
                      + " (id, app_key, secret, enabled, options) VALUES (?, ?, ?, TRUE, ?)")) {
        statement.setString(1, app.id());
        statement.setString(2, app.key());
        statement.setString(3, app.secret());
        statement.setString(4, options);
        assertEquals(1, statement.executeUpdate());
      }
    }

    private void insertRaw(String id, String key, String secret) throws SQLException {
      try (Connection connection = connect();
          PreparedStatement statement =
              connection.prepareStatement(
                  "INSERT INTO "
                      + table
                      + " (id, app_key, secret, enabled) VALUES (?, ?, ?, TRUE)")) {
        statement.setString(1, id);
        statement.setString(2, key);
        statement.setString(3, secret);
        assertEquals(1, statement.executeUpdate());
      }
    }

    /** Waits (up to 15 s) until the server's output contains {@code text}. */
    private void awaitLogged(String text) {
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (!herald.output().contains(text)) {
        if (System.nanoTime() > deadline) {
          fail("not logged within 15 s: " + text + "\n" + herald.output());
        }
        pause();
      }
    }

    /**
     * Waits until the table has been read {@code count} more times: a row inserted now, with a key
     * nobody uses, becomes usable once it is read.
     */
    private void awaitRereads(int count) throws SQLException {
      for (int i = 0; i < count; i++) {
        App marker = App.unique("reread");
        insert(marker, null);
        awaitUsable(marker.key()).close();
        update("DELETE FROM " + table + " WHERE id = ?", marker.id());
      }
    }

    private void awaitApiAccepts(ApiClient api) {
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (api.get("/channels").status() != 200) {
        if (System.nanoTime() > deadline) {
          fail("the rotated secret was not accepted within 15 s");
        }
        pause();
      }
    }

    private static void pause() {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private void update(String sql, String id) throws SQLException {
      try (Connection connection = connect();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        statement.setString(1, id);
        assertEquals(1, statement.executeUpdate());
      }
    }

    /**
     * Connects with {@code key} until the server knows it (it reloads the table on an interval, so
     * this polls with a short pause and a deadline) and returns the established connection.
     */
    private RawClient awaitUsable(String key) {
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (true) {
        RawClient client = RawClient.connect(herald.wsUrl(key));
        JsonNode first = client.awaitJson();
        if ("pusher:connection_established".equals(first.path("event").asText())) {
          return RawClient.adopt(client, first);
        }
        assertError(first, 4001);
        client.close();
        if (System.nanoTime() > deadline) {
          fail("app with key " + key + " still unknown 15 s after its row was inserted");
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }
}
