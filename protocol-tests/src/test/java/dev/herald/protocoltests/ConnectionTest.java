package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.fieldNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection handshake, its refusals, and liveness (pings, pongs, timeouts). */
class ConnectionTest {

  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServer() {
    herald.close();
  }

  /** Starts a server with one changed setting for the duration of {@code test}. */
  private static void withServer(String name, String value, Consumer<HeraldProcess> test) {
    try (HeraldProcess server = HeraldProcess.withDefaults().env(name, value).start()) {
      test.accept(server);
    }
  }

  @Test
  void firstFrameIsConnectionEstablishedWithSocketIdAndDefaultActivityTimeout() {
    try (RawClient client = RawClient.connect(herald.wsUrl())) {
      JsonNode frame = client.awaitJson();
      assertEquals(Set.of("event", "data"), fieldNames(frame), frame::toString);
      assertEquals("pusher:connection_established", frame.get("event").asText());
      JsonNode data = Json.dataOf(frame);
      assertEquals(Set.of("socket_id", "activity_timeout"), fieldNames(data), data::toString);
      assertTrue(data.get("socket_id").isTextual(), data::toString);
      assertTrue(
          data.get("socket_id").asText().matches("^\\d+\\.\\d+$"), () -> "socket_id in " + data);
      assertTrue(data.get("activity_timeout").isInt(), data::toString);
      assertEquals(30, data.get("activity_timeout").asInt());
    }
  }

  @Test
  void everyConnectionGetsADifferentSocketId() {
    try (RawClient a = RawClient.open(herald.wsUrl());
        RawClient b = RawClient.open(herald.wsUrl())) {
      assertFalse(a.socketId().equals(b.socketId()), a.socketId());
    }
  }

  @Test
  void activityTimeoutComesFromConfiguration() {
    withServer(
        "REVERB_APP_ACTIVITY_TIMEOUT",
        "77",
        server -> {
          try (RawClient client = RawClient.connect(server.wsUrl())) {
            JsonNode data = Json.dataOf(client.awaitJson());
            assertEquals(77, data.get("activity_timeout").asInt(), data::toString);
          }
        });
  }

  @Test
  void unknownKeyGetsError4001AndClose4001() {
    assertRefused(herald.wsUrl("no-such-key"), 4001);
  }

  @Test
  void missingProtocolGetsError4008AndClose4008() {
    assertRefused(herald.wsUrlWithQuery(HeraldProcess.APP_KEY, "client=js&version=8.4.0"), 4008);
  }

  @Test
  void noQueryStringAtAllGetsError4008AndClose4008() {
    assertRefused(herald.wsUrlWithQuery(HeraldProcess.APP_KEY, ""), 4008);
  }

  @ParameterizedTest(name = "protocol={0}")
  @ValueSource(strings = {"abc", "99", "3", "7.5"})
  void nonIntegerOrUnsupportedProtocolGetsError4007AndClose4007(String protocol) {
    assertRefused(herald.wsUrlWithQuery(HeraldProcess.APP_KEY, "protocol=" + protocol), 4007);
  }

  @ParameterizedTest(name = "protocol={0}")
  @ValueSource(strings = {"4", "5", "6", "7"})
  void protocolsFourToSevenAreAccepted(String protocol) {
    try (RawClient client =
        RawClient.open(herald.wsUrlWithQuery(HeraldProcess.APP_KEY, "protocol=" + protocol))) {
      client.assertPingPong();
    }
  }

  @Test
  void disabledAppGetsError4003AndClose4003() {
    withServer("HERALD_APP_ENABLED", "false", server -> assertRefused(server.wsUrl(), 4003));
  }

  @Test
  void connectionOverTheMaximumGetsError4100AndClose4100WhileTheOthersKeepWorking() {
    withServer(
        "REVERB_APP_MAX_CONNECTIONS",
        "2",
        server -> {
          try (RawClient first = RawClient.open(server.wsUrl());
              RawClient second = RawClient.open(server.wsUrl())) {
            assertRefused(server.wsUrl(), 4100);
            first.assertPingPong();
            second.assertPingPong();
            String channel = Unique.name("max-conn-");
            first.subscribeOk(channel);
            second.subscribeOk(channel);
          }
        });
  }

  @Test
  void upgradeOnAnotherPathIsClosedWith4005() {
    try (RawClient client = RawClient.connect(herald.wsBase() + "/foo")) {
      assertEquals(4005, client.awaitClose());
    }
  }

  @Test
  void upgradeWithoutAKeyIsClosedWith4005() {
    try (RawClient client = RawClient.connect(herald.wsBase() + "/app?protocol=7")) {
      assertEquals(4005, client.awaitClose());
    }
  }

  @Test
  void pusherPingIsAnsweredWithTheExactPong() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
      assertEquals(
          "{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.awaitText(RawClient.TIMEOUT));
    }
  }

  @Test
  void pusherPingWithStringDataOrNoDataIsAnsweredWithPong() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.sendText("{\"event\":\"pusher:ping\",\"data\":\"{}\"}");
      client.assertNext("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
      // pusher-java-client sends its ping without data.
      client.sendText("{\"event\":\"pusher:ping\"}");
      client.assertNext("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
    }
  }

  @Test
  void webSocketPingFrameIsAnsweredWithAPongFrameCarryingTheSamePayload() {
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      byte[] payload = "are-you-there".getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(payload, client.pingFrame(payload));
      client.assertPingPong();
    }
  }

  @Test
  void silentClientIsPingedThenClosedWith4201() {
    withLivenessServer(
        server -> {
          try (RawClient client = RawClient.open(server.wsUrl())) {
            assertSilentClientIsPingedThenDropped(client);
          }
        });
  }

  @Test
  void silentSubscribedClientIsPingedThenClosedWith4201() {
    withLivenessServer(
        server -> {
          try (RawClient client = RawClient.open(server.wsUrl())) {
            client.subscribeOk(Unique.name("silent-"));
            assertSilentClientIsPingedThenDropped(client);
          }
        });
  }

  @Test
  void clientAnsweringPingsWithPongStaysOpen() {
    withLivenessServer(
        server -> {
          try (RawClient client = RawClient.open(server.wsUrl())) {
            // With a 1 s interval and a 1 s pong timeout, three answered pings span several
            // timeouts: a server that ignored the pongs would have closed the connection.
            for (int i = 0; i < 3; i++) {
              client.assertNext("{\"event\":\"pusher:ping\",\"data\":\"{}\"}");
              client.sendText("{\"event\":\"pusher:pong\",\"data\":{}}");
            }
            assertFalse(client.isClosed(), "closed with " + client.closeReason());
            client.assertPingPong();
          }
        });
  }

  @Test
  void upAnswers200WithStatusOk() {
    ApiClient.Response response = ApiClient.getUrl(herald.httpBase() + "/up");
    assertEquals(200, response.status());
    Json.assertJson("{\"status\":\"ok\"}", response.json());
  }

  @Test
  void plainHttpGetOnAnUnknownPathIs404Json() {
    ApiClient.Response response = ApiClient.getUrl(herald.httpBase() + "/foo");
    assertEquals(404, response.status());
    assertTrue(response.json().path("error").isTextual(), response.body());
  }

  @Test
  void serverPathPrefixServesWebSocketsUnderIt() {
    withServer(
        "REVERB_SERVER_PATH",
        "/ws",
        server -> {
          assertTrue(server.wsUrl().contains("/ws/app/"), server.wsUrl());
          try (RawClient client = RawClient.open(server.wsUrl())) {
            client.assertPingPong();
            String channel = Unique.name("prefixed-");
            client.subscribeOk(channel);
            server.api().trigger(channel, "e", "hello");
            client.assertNext(
                "{\"event\":\"e\",\"channel\":\"" + channel + "\",\"data\":\"hello\"}");
          }
        });
  }

  private static void withLivenessServer(Consumer<HeraldProcess> test) {
    try (HeraldProcess server =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_PING_INTERVAL", "1")
            .env("HERALD_APP_PONG_TIMEOUT", "1")
            .start()) {
      test.accept(server);
    }
  }

  private static void assertSilentClientIsPingedThenDropped(RawClient client) {
    client.assertNext("{\"event\":\"pusher:ping\",\"data\":\"{}\"}");
    assertError(client.awaitJson(), 4201);
    assertEquals(4201, client.awaitClose());
  }

  private static void assertRefused(String url, int code) {
    try (RawClient client = RawClient.connect(url)) {
      assertError(client.awaitJson(), code);
      assertEquals(code, client.awaitClose(), () -> "close code, reason " + client.closeReason());
    }
  }
}
