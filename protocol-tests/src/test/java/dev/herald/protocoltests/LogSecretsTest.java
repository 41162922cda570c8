package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nothing secret reaches the log at the default level: a full protocol run (apps from PostgreSQL
 * with a password holding {@code + = $ / #}, a webhook target with a header value and a URL token,
 * private and presence subscriptions with user_info, a sign-in with user_data, client events with
 * data, signed API calls, wrong signatures, a webhook refused by its receiver) and two starts that
 * fail on their database URL, then every secret and payload marker is looked for in what the
 * processes printed. With {@code --debug} the first log line says payloads are logged, and a log
 * output nobody reads does not stop the server.
 */
class LogSecretsTest {
  private static final String JDBC =
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3";

  /** Every character a URL needs encoded or treats specially, in one password. */
  private static final String DB_PASSWORD = "Pw+x=y$z/q#r-" + Unique.name("db");

  private static final String ROW_SECRET = "row-secret-" + Unique.name("s");
  private static final String HEADER_VALUE = "header-secret-" + Unique.name("h");
  private static final String URL_TOKEN = "urltoken" + Unique.name("t").replace("-", "");
  private static final String USER_INFO = "userinfo-marker-" + Unique.name("u");
  private static final String USER_DATA = "userdata-marker-" + Unique.name("d");
  private static final String CLIENT_DATA = "clientdata-marker-" + Unique.name("c");

  @Test
  void noSecretOrPayloadIsLoggedAtTheDefaultLevel() throws Exception {
    requirePostgres();
    String table = "herald_logs_" + Unique.name("t").replaceAll("[^A-Za-z0-9]", "");
    sql(
        "CREATE TABLE "
            + table
            + " (id VARCHAR(100), app_key VARCHAR(100), secret VARCHAR(100),"
            + " enabled BOOLEAN NOT NULL DEFAULT TRUE, options TEXT NULL)");
    List<String> outputs = new ArrayList<>();
    List<String> channelSignatures = new ArrayList<>();
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      sql(
          "INSERT INTO "
              + table
              + " (id, app_key, secret) VALUES ('row-ok', 'row-ok-key', '"
              + ROW_SECRET
              + "'), ('row-no-secret', 'row-no-secret-key', NULL), ('row-empty-key', '', 'x')");
      receiver.respondWith(400);
      String webhooks =
          "[{\"url\":\""
              + receiver.url()
              + "?token="
              + URL_TOKEN
              + "\",\"headers\":{\"X-Hook-Auth\":\""
              + HEADER_VALUE
              + "\"}}]";
      try (HeraldProcess herald =
          HeraldProcess.withDefaults()
              .env("HERALD_APPS_DATABASE_URL", dbUrl("postgres:" + encoded(DB_PASSWORD), ""))
              .env("HERALD_APPS_TABLE", table)
              .env("HERALD_APP_WEBHOOKS", webhooks)
              .env("HERALD_WEBHOOK_BATCH_MS", "0")
              .env("HERALD_WEBHOOK_LEAVE_DELAY_MS", "0")
              .start()) {
        exercise(herald, receiver, channelSignatures);
        awaitLogged(herald, "refused with 400");
        awaitLogged(herald, "row-no-secret");
        outputs.add(herald.output());
      } finally {
        sql("DROP TABLE IF EXISTS " + table);
      }
    }
    // Starts that fail: the database refuses the connection, with the password given in each form.
    for (String url :
        List.of(
            "postgresql://postgres@127.0.0.1:1/test?password=" + encoded(DB_PASSWORD),
            "postgresql://postgres@127.0.0.1:1/test?password=" + DB_PASSWORD,
            "postgresql://postgres:" + encoded(DB_PASSWORD) + "@127.0.0.1:1/test",
            "postgresql://postgres:" + DB_PASSWORD + "@127.0.0.1:1/test")) {
      HeraldProcess.Exit exit =
          HeraldProcess.withDefaults().env("HERALD_APPS_DATABASE_URL", url).runExpectingExit();
      assertNotEquals(0, exit.code(), exit::output);
      outputs.add(exit.output());
    }

    List<String> secrets = new ArrayList<>(List.of(HeraldProcess.APP_SECRET, ROW_SECRET));
    // The password, its URL-encoded form, and pieces of it around each special character.
    secrets.addAll(List.of(DB_PASSWORD, encoded(DB_PASSWORD), "x=y", "y$z", "z/q", "q#r", "Pw+x"));
    secrets.addAll(List.of(HEADER_VALUE, URL_TOKEN, USER_INFO, USER_DATA, CLIENT_DATA));
    secrets.addAll(channelSignatures);
    secrets.add("auth_signature");
    for (String output : outputs) {
      for (String secret : secrets) {
        assertFalse(
            output.contains(secret), () -> "the log contains \"" + secret + "\":\n" + output);
      }
      assertFalse(output.contains("secret=null"), output);
      assertFalse(output.contains("--debug is on"), output);
    }
    System.out.println(
        "LogSecretsTest: "
            + secrets.size()
            + " secrets and payload markers absent from "
            + outputs.size()
            + " process logs ("
            + outputs.stream().mapToInt(String::length).sum()
            + " characters)");
  }

  @Test
  void debugSaysFirstThatItLogsPayloads() {
    try (HeraldProcess herald = HeraldProcess.withDefaults().args("--debug").start()) {
      String first = herald.output().lines().findFirst().orElse("");
      assertTrue(first.contains("--debug is on"), herald.output());
      assertTrue(first.contains("payloads"), first);
      try (RawClient client = herald.open()) {
        client.assertPingPong();
      }
    }
  }

  /**
   * With {@code --debug} every frame is logged. When nothing reads the log output (a stalled
   * collector), writing it used to block the event loop once the pipe was full: the server stopped
   * answering. Now lines are dropped and counted, and every ping is answered.
   */
  @Test
  void debugLoggingIntoAnOutputNobodyReadsDoesNotStopTheServer() {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_EVENT_LOOPS", "1")
            .args("--debug")
            .stallOutputAfterStart()
            .start()) {
      int pings = 3000;
      long started = System.nanoTime();
      try (RawClient client = herald.open()) {
        for (int round = 0; round < pings / 100; round++) {
          for (int i = 0; i < 100; i++) {
            client.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
          }
          for (int i = 0; i < 100; i++) {
            JsonNode pong = client.awaitJson();
            assertEquals("pusher:pong", pong.path("event").asText(), pong::toString);
          }
        }
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      try (RawClient newcomer = herald.open()) {
        newcomer.assertPingPong();
      }
      System.out.println(
          "LogSecretsTest: "
              + pings
              + " pings answered in "
              + millis
              + " ms with --debug and an unread log output");
      herald.kill();
    }
  }

  private static void exercise(
      HeraldProcess herald, WebhookReceiver receiver, List<String> channelSignatures) {
    String privateChannel = "private-" + Unique.name("logs");
    String presenceChannel = "presence-" + Unique.name("logs");
    String channelData =
        Json.write(Map.of("user_id", "u1", "user_info", Map.of("name", USER_INFO)));
    String channelData2 =
        Json.write(Map.of("user_id", "u2", "user_info", Map.of("name", USER_INFO)));
    try (RawClient alice = herald.open();
        RawClient bob = herald.open()) {
      alice.subscribePrivateOk(privateChannel);
      channelSignatures.add(Signatures.privateAuth(alice.socketId(), privateChannel).split(":")[1]);
      alice.subscribePresence(presenceChannel, channelData);
      alice.awaitUntilEvent("pusher_internal:subscription_succeeded");
      bob.subscribePresence(presenceChannel, channelData2);
      bob.awaitUntilEvent("pusher_internal:subscription_succeeded");
      channelSignatures.add(
          Signatures.presenceAuth(bob.socketId(), presenceChannel, channelData2).split(":")[1]);
      alice.awaitUntilEvent("pusher_internal:member_added");
      String userData = Json.write(Map.of("id", "u1", "user_info", Map.of("n", USER_DATA)));
      alice.signinOk(userData);
      channelSignatures.add(Signatures.userAuth(alice.socketId(), userData).split(":")[1]);
      alice.sendText(
          "{\"event\":\"client-note\",\"channel\":\""
              + presenceChannel
              + "\",\"data\":{\"text\":\""
              + CLIENT_DATA
              + "\"}}");
      bob.awaitUntilEvent("client-note");
      // Wrong signatures: a subscription, a sign-in, an API call.
      alice.sendJson(
          Map.of(
              "event",
              "pusher:subscribe",
              "data",
              Map.of(
                  "channel",
                  "private-wrong",
                  "auth",
                  HeraldProcess.APP_KEY + ":" + "0".repeat(64))));
      alice.awaitUntilEvent("pusher:subscription_error");
      alice.signin(userData, HeraldProcess.APP_KEY + ":" + "1".repeat(64));
      alice.awaitUntilEvent("pusher:error");
      ApiClient.Response wrong =
          herald
              .api(HeraldProcess.APP_ID, HeraldProcess.APP_KEY, "not-the-secret")
              .get("/channels");
      assertEquals(401, wrong.status(), wrong::body);
      herald.api().trigger(presenceChannel, "api-event", "{\"x\":\"" + CLIENT_DATA + "\"}");
      bob.awaitUntilEvent("api-event");
      try (RawClient rowClient = RawClient.open(herald.wsUrl("row-ok-key"))) {
        rowClient.assertPingPong();
      }
      ApiClient.Response rowApi = herald.api("row-ok", "row-ok-key", ROW_SECRET).get("/channels");
      assertEquals(200, rowApi.status(), rowApi::body);
    }
    // The first webhook request was refused (400), which is logged; later ones are delivered.
    receiver.awaitDelivered(event -> "client_event".equals(event.path("name").asText()), 1);
  }

  private static void awaitLogged(HeraldProcess herald, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!herald.output().contains(text)) {
      assertTrue(
          System.nanoTime() < deadline, () -> "never logged: " + text + "\n" + herald.output());
      Thread.sleep(50);
    }
  }

  private static String dbUrl(String userInfo, String query) {
    return "postgresql://" + userInfo + "@127.0.0.1:5432/test" + query;
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void requirePostgres() {
    try (Connection probe = DriverManager.getConnection(JDBC)) {
      probe.isValid(3);
    } catch (SQLException e) {
      Prerequisite.unmet(
          "PostgreSQL is not reachable at " + JDBC + ": " + e + " (apt-get install postgresql)");
    }
  }

  private static void sql(String statement) throws SQLException {
    try (Connection connection = DriverManager.getConnection(JDBC);
        Statement s = connection.createStatement()) {
      s.execute(statement);
    }
  }
}
