package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code allowed_origins}: the {@code Origin} header of a WebSocket upgrade checked against hosts,
 * wildcard hosts and full origins; a refused origin never gets {@code connection_established}.
 */
class OriginsTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HeraldProcess restricted;
  private static HeraldProcess open;

  @BeforeAll
  static void startServers() {
    restricted =
        HeraldProcess.withDefaults()
            .env("HERALD_APP_ALLOWED_ORIGINS", "app.test,*.example.com,https://secure.test:8443")
            .start();
    open = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServers() {
    if (restricted != null) {
      restricted.close();
    }
    if (open != null) {
      open.close();
    }
  }

  @ParameterizedTest(name = "Origin: {0}")
  @ValueSource(
      strings = {
        "http://app.test",
        "https://app.test",
        "https://a.example.com",
        "http://b.example.com",
        "https://secure.test:8443"
      })
  void matchingOriginIsAllowed(String origin) {
    try (RawClient client = RawClient.open(restricted.wsUrl(), HTTP, Map.of("Origin", origin))) {
      client.assertPingPong();
    }
  }

  @ParameterizedTest(name = "Origin: {0}")
  @ValueSource(
      strings = {
        "https://example.com",
        "https://evil.test",
        "http://secure.test:8443",
        "https://secure.test",
        "https://secure.test:9443",
        "https://notexample.com",
        "http://app.test.evil.test",
        "http://evil-app.test"
      })
  void originMatchingNoEntryGetsError4009ThenClose4009BeforeConnectionEstablished(String origin) {
    try (RawClient client = RawClient.connect(restricted.wsUrl(), HTTP, Map.of("Origin", origin))) {
      client.assertNext(
          Json.write(
              Map.of(
                  "event",
                  "pusher:error",
                  "data",
                  Map.of("code", 4009, "message", "Origin not allowed: " + origin))));
      assertEquals(4009, client.awaitClose(), () -> "close code, reason " + client.closeReason());
      client.assertNothingPending();
    }
  }

  @Test
  void upgradeWithoutAnOriginHeaderIsAllowed() {
    try (RawClient client = RawClient.open(restricted.wsUrl())) {
      client.assertPingPong();
    }
  }

  @Test
  void refusedOriginDoesNotAffectOtherConnections() {
    String channel = Unique.name("origins-");
    try (RawClient allowed =
        RawClient.open(restricted.wsUrl(), HTTP, Map.of("Origin", "https://a.example.com"))) {
      allowed.subscribeOk(channel);
      try (RawClient refused =
          RawClient.connect(restricted.wsUrl(), HTTP, Map.of("Origin", "https://evil.test"))) {
        assertEquals(4009, refused.awaitClose());
      }
      restricted.api().trigger(channel, "still", "here");
      allowed.assertNext(Frames.event(channel, "still", "here"));
    }
  }

  @ParameterizedTest(name = "Origin: {0}")
  @ValueSource(strings = {"https://anything.example.org", "http://localhost:5173", "null"})
  void defaultAllowedOriginsAllowAnyOrigin(String origin) {
    try (RawClient client = RawClient.open(open.wsUrl(), HTTP, Map.of("Origin", origin))) {
      client.assertPingPong();
    }
  }
}
