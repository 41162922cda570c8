package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald started the way a Soketi deployment starts Soketi: with Soketi's environment variables
 * only (as {@code ../shared/peers/soketi} runs it), or with Soketi's JSON config file. The official
 * clients must then meet Soketi's behaviour, defaults included, and a Soketi setting Herald cannot
 * honour must stop the start with the variable or the file's key named.
 */
class SoketiConfigurationTest {

  private static final String APP_ID = "app-id";
  private static final String APP_KEY = "app-key";
  private static final String APP_SECRET = "app-secret";

  @TempDir Path dir;

  /** Soketi's app credentials and a loopback host; every other setting at Soketi's default. */
  private static HeraldProcess soketi() {
    return HeraldProcess.withoutConfiguration("SOKETI_PORT")
        .env("SOKETI_HOST", "127.0.0.1")
        .env("SOKETI_DEFAULT_APP_ID", APP_ID)
        .env("SOKETI_DEFAULT_APP_KEY", APP_KEY)
        .env("SOKETI_DEFAULT_APP_SECRET", APP_SECRET);
  }

  @Test
  void pusherJsAndTheNodeSdkMeetSoketisBehaviourUnderSoketisVariables() throws Exception {
    try (HeraldProcess defaults = soketi().start();
        HeraldProcess peer =
            soketi()
                .env("SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true")
                .env("SOKETI_DEFAULT_APP_MAX_CONNS", "-1")
                .start()) {
      NodeInteropTest.runSuite(
          "soketi.test.mjs",
          defaults,
          Map.of(
              "HERALD_APP_ID", APP_ID,
              "HERALD_APP_KEY", APP_KEY,
              "HERALD_APP_SECRET", APP_SECRET,
              "HERALD_SOKETI_PEER_PORT", Integer.toString(peer.port())));
    }
  }

  @Test
  void soketisConfigFileGivesItsAppsTheirLimitsAndSoketisDefaults() throws Exception {
    int port = HeraldProcess.freePort();
    Path file = dir.resolve("soketi.json");
    Files.writeString(
        file,
        """
        {
          "host": "127.0.0.1",
          "port": %d,
          "eventLimits": {"maxPayloadInKb": 20},
          "appManager.array.apps": [
            {"id": "chat", "key": "chat-key", "secret": "chat-secret", "enableClientMessages": true},
            {"id": "feed", "key": "feed-key", "secret": "feed-secret"}
          ]
        }
        """
            .formatted(port));
    try (HeraldProcess server =
        HeraldProcess.withoutConfiguration(null).port(port).args("--config", file.toString())) {
      server.start();
      Pusher chat = sdk(server, "chat", "chat-key", "chat-secret");
      try {
        checkChatAndFeed(server, chat);
      } finally {
        chat.close();
      }
    }
  }

  private static void checkChatAndFeed(HeraldProcess server, Pusher chat) {
    String channel = "private-room-" + Unique.name("c");
    try (RawClient alice = RawClient.open(server.wsUrl("chat-key"));
        RawClient bob = RawClient.open(server.wsUrl("chat-key"))) {
      subscribePrivate(alice, channel, "chat-key", "chat-secret");
      subscribePrivate(bob, channel, "chat-key", "chat-secret");

      // 15 KB: over Herald's own 10 KB default, under the file's 20 KB.
      String fifteen = "{\"blob\":\"" + "x".repeat(15 * 1024) + "\"}";
      Result accepted = chat.trigger(channel, "big", Map.of("blob", "x".repeat(15 * 1024)));
      assertEquals(200, accepted.getHttpStatus(), accepted.getMessage());
      JsonNode delivered = last(bob.awaitUntilEvent("big"));
      assertEquals(fifteen, delivered.path("data").asText());
      alice.awaitUntilEvent("big");
      Result refused = chat.trigger(channel, "huge", Map.of("blob", "x".repeat(21 * 1024)));
      assertEquals(413, refused.getHttpStatus(), refused.getMessage());

      // The app that enables client messages relays them.
      alice.sendJson(
          Map.of("event", "client-typing", "channel", channel, "data", Map.of("on", true)));
      JsonNode typing = last(bob.awaitUntilEvent("client-typing"));
      JsonNode data = typing.path("data");
      assertEquals(
          Json.parse("{\"on\":true}"), data.isTextual() ? Json.parse(data.asText()) : data);
    }
    // The one that does not refuses them: Soketi's default.
    try (RawClient feed = RawClient.open(server.wsUrl("feed-key"))) {
      String feedChannel = "private-feed-" + Unique.name("f");
      subscribePrivate(feed, feedChannel, "feed-key", "feed-secret");
      feed.sendJson(
          Map.of("event", "client-typing", "channel", feedChannel, "data", Map.of("on", true)));
      JsonNode error = last(feed.awaitUntilEvent("pusher:error"));
      assertTrue(
          error.path("data").path("message").asText().contains("Client events are not enabled"),
          error.toString());
    }
  }

  @Test
  void soketisMetricsVariablesServeSoketisMetricNamesOnTheirOwnPort() {
    int metricsPort = HeraldProcess.freePort();
    try (HeraldProcess server =
            soketi()
                .env("SOKETI_METRICS_ENABLED", "1")
                .env("SOKETI_METRICS_SERVER_PORT", Integer.toString(metricsPort))
                .start();
        RawClient client = RawClient.open(server.wsUrl(APP_KEY))) {
      client.assertPingPong();
      ApiClient.Response metrics = ApiClient.getUrl("http://127.0.0.1:" + metricsPort + "/metrics");
      assertEquals(200, metrics.status(), metrics.body());
      assertTrue(
          metrics.body().lines().anyMatch(line -> line.startsWith("soketi_new_connections_total")),
          metrics.body());
      assertEquals(
          404, ApiClient.getUrl(server.httpBase() + "/metrics").status(), "not on the main port");
    }
  }

  @Test
  void twoNodesWithSoketisRedisAdapterVariablesShareTheirChannels() {
    RedisServer.require();
    // One key prefix: the nodes of one cluster must agree on it.
    String prefix = "soketi-test-" + Unique.name("p") + ":";
    try (RedisServer redis = RedisServer.start();
        HeraldProcess a = soketiOnRedis(redis, prefix).start();
        HeraldProcess b = soketiOnRedis(redis, prefix).start();
        RawClient subscriber = RawClient.open(b.wsUrl(APP_KEY))) {
      String channel = "soketi-redis-" + Unique.name("r");
      subscriber.subscribeOk(channel);
      a.api(APP_ID, APP_KEY, APP_SECRET).trigger(channel, "across", "{\"via\":\"redis\"}");
      JsonNode event = last(subscriber.awaitUntilEvent("across"));
      assertEquals("{\"via\":\"redis\"}", event.path("data").asText());
    }
  }

  private static HeraldProcess soketiOnRedis(RedisServer redis, String prefix) {
    return soketi()
        .env("SOKETI_ADAPTER_DRIVER", "redis")
        .env("SOKETI_DB_REDIS_HOST", "127.0.0.1")
        .env("SOKETI_DB_REDIS_PORT", Integer.toString(redis.port()))
        .env("SOKETI_DB_REDIS_KEY_PREFIX", prefix);
  }

  @Test
  void soketiSettingsHeraldCannotHonourStopTheStartNamingTheVariableOrTheKey() throws Exception {
    HeraldProcess.Exit nats = soketi().env("SOKETI_ADAPTER_DRIVER", "nats").runExpectingExit();
    assertEquals(2, nats.code(), nats.output());
    assertTrue(
        nats.output().contains("env SOKETI_ADAPTER_DRIVER: only \"redis\" or \"local\""),
        nats.output());

    Path file = dir.resolve("soketi.json");
    Files.writeString(
        file,
        "{\"port\": 6001, \"appManager\": {\"driver\": \"mysql\"},"
            + " \"database\": {\"mysql\": {\"host\": \"db\"}}}");
    HeraldProcess.Exit mysql =
        HeraldProcess.withoutConfiguration(null)
            .port(HeraldProcess.freePort())
            .args("--config", file.toString())
            .runExpectingExit();
    assertEquals(2, mysql.code(), mysql.output());
    assertTrue(
        mysql.output().contains(file + ": appManager.driver: only \"array\" is supported"),
        mysql.output());
  }

  private static JsonNode last(List<JsonNode> frames) {
    return frames.get(frames.size() - 1);
  }

  private static Pusher sdk(HeraldProcess server, String id, String key, String secret) {
    Pusher pusher = new Pusher(id, key, secret);
    pusher.setHost(server.host() + ":" + server.port());
    pusher.setEncrypted(false);
    return pusher;
  }

  private static void subscribePrivate(
      RawClient client, String channel, String key, String secret) {
    client.sendJson(
        Map.of(
            "event",
            "pusher:subscribe",
            "data",
            Map.of(
                "channel",
                channel,
                "auth",
                Signatures.auth(key, secret, client.socketId() + ":" + channel))));
    List<JsonNode> frames = client.awaitUntilEvent("pusher_internal:subscription_succeeded");
    assertEquals(channel, frames.get(frames.size() - 1).path("channel").asText());
  }
}
