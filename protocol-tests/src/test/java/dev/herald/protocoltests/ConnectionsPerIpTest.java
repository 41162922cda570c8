package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code HERALD_MAX_CONNECTIONS_PER_IP}: one client address holds at most that many WebSockets at
 * once; one more is answered 429 before any WebSocket exists, its connection closed, and counted in
 * {@code herald_rejections_total{kind="CONNECTIONS_PER_IP_LIMIT"}}. Behind {@code
 * HERALD_TRUSTED_PROXIES} the client named by {@code X-Forwarded-For} is counted, not the proxy;
 * from anyone else the header is ignored. Every 127/8 address reaches the server on 127.0.0.1, so
 * each address plays one client.
 */
class ConnectionsPerIpTest {

  private static final int CAP = 3;

  @Nested
  class DirectClients {
    @RegisterExtension
    static final HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_MAX_CONNECTIONS_PER_IP", Integer.toString(CAP));

    @Test
    void oneAddressGetsTheCapThen429WhileAnotherAddressIsServed() {
      List<FrameSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < CAP; i++) {
          held.add(upgraded(herald, "127.0.0.2", Map.of()));
        }
        double before = refusals(herald);
        assertRefused(herald, "127.0.0.2", Map.of());
        assertEquals(before + 1, refusals(herald), "the refusal was not counted");
        // A client forging X-Forwarded-For is still counted by its own address.
        assertRefused(herald, "127.0.0.2", Map.of("X-Forwarded-For", "10.9.9.9"));

        try (FrameSocket other = upgraded(herald, "127.0.0.3", Map.of())) {
          assertTrue(other.awaitText().contains("pusher:connection_established"));
        }

        // A closed connection gives its place back.
        FrameSocket first = held.remove(0);
        first.sendClose(1000);
        first.awaitClose(RawClient.TIMEOUT);
        first.close();
        held.add(upgradedOnceReleased(herald, "127.0.0.2"));
      } finally {
        held.forEach(FrameSocket::close);
      }
    }
  }

  @Nested
  class FailedHandshakes {
    @RegisterExtension
    static final HeraldProcess herald =
        HeraldProcess.withDefaults().env("HERALD_MAX_CONNECTIONS_PER_IP", Integer.toString(CAP));

    @Test
    void aHandshakeThatFailsHoldsNoPlaceEvenWhileItsConnectionStaysOpen() {
      List<FrameSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < CAP; i++) {
          FrameSocket broken = FrameSocket.tcp(herald, 0, "127.0.0.5");
          held.add(broken);
          Map<String, String> noKey = headers(Map.of());
          noKey.remove("Sec-WebSocket-Key");
          assertEquals(400, broken.upgrade(target(), noKey).status());
        }
        for (int i = 0; i < CAP; i++) {
          held.add(upgraded(herald, "127.0.0.5", Map.of()));
        }
      } finally {
        held.forEach(FrameSocket::close);
      }
    }
  }

  @Nested
  class BehindATrustedProxy {
    @RegisterExtension
    static final HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_MAX_CONNECTIONS_PER_IP", Integer.toString(CAP))
            .env("HERALD_TRUSTED_PROXIES", "127.0.0.4");

    @Test
    void theForwardedClientIsCountedNotTheProxy() {
      Map<String, String> alice = Map.of("X-Forwarded-For", "10.1.1.1");
      Map<String, String> bob = Map.of("X-Forwarded-For", "10.1.1.2");
      List<FrameSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < CAP; i++) {
          held.add(upgraded(herald, "127.0.0.4", alice));
        }
        assertRefused(herald, "127.0.0.4", alice);
        // The proxy itself holds more than the cap: each client behind it has its own count.
        for (int i = 0; i < CAP; i++) {
          held.add(upgraded(herald, "127.0.0.4", bob));
        }
        assertRefused(herald, "127.0.0.4", bob);
      } finally {
        held.forEach(FrameSocket::close);
      }
    }
  }

  /** A WebSocket from {@code from} that got 101 and its first frame. */
  private static FrameSocket upgraded(
      HeraldProcess herald, String from, Map<String, String> extraHeaders) {
    FrameSocket socket = FrameSocket.tcp(herald, 0, from);
    FrameSocket.Handshake answer = socket.upgrade(target(), headers(extraHeaders));
    if (answer.status() != 101) {
      socket.close();
      throw new AssertionError("upgrade from " + from + " answered " + answer);
    }
    return socket;
  }

  /**
   * Upgrades from {@code from} once the server has processed an earlier close: the server releases
   * the place when it sees the connection end, which the client cannot observe, so this tries again
   * until {@link RawClient#TIMEOUT}.
   */
  private static FrameSocket upgradedOnceReleased(HeraldProcess herald, String from) {
    long deadline = System.nanoTime() + RawClient.TIMEOUT.toNanos();
    while (true) {
      FrameSocket socket = FrameSocket.tcp(herald, 0, from);
      FrameSocket.Handshake answer = socket.upgrade(target(), headers(Map.of()));
      if (answer.status() == 101) {
        return socket;
      }
      socket.close();
      assertEquals(429, answer.status());
      assertTrue(System.nanoTime() < deadline, "the closed connection's place was never released");
    }
  }

  private static void assertRefused(
      HeraldProcess herald, String from, Map<String, String> extraHeaders) {
    try (FrameSocket socket = FrameSocket.tcp(herald, 0, from)) {
      FrameSocket.Handshake answer = socket.upgrade(target(), headers(extraHeaders));
      assertEquals(429, answer.status(), () -> "answered " + answer);
      assertEquals("close", answer.headers().get("connection"));
      assertEquals("Too Many Requests", socket.readBody());
      assertTrue(socket.awaitEof(RawClient.TIMEOUT), "the refused connection was left open");
    }
  }

  private static double refusals(HeraldProcess herald) {
    ApiClient.Response metrics = ApiClient.getUrl(herald.httpBase() + "/metrics");
    assertEquals(200, metrics.status());
    return PrometheusText.parse(metrics.body())
        .value("herald_rejections_total", "kind", "CONNECTIONS_PER_IP_LIMIT");
  }

  private static String target() {
    return "/app/" + HeraldProcess.APP_KEY + "?protocol=7&client=js&version=8.4.0";
  }

  private static Map<String, String> headers(Map<String, String> extra) {
    Map<String, String> headers = new LinkedHashMap<>(FrameSocket.standardHeaders());
    headers.putAll(extra);
    return headers;
  }
}
