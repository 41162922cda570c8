package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code HERALD_REQUEST_TIMEOUT} and {@code HERALD_KEEP_ALIVE_TIMEOUT}: a client that does not
 * complete a request in time loses its connection, at the deadline and not later, however it
 * trickles bytes; a WebSocket, once open, is governed by the app's activity timeout instead. The
 * server runs with short timeouts so the cases take seconds; HostileInputTest checks the default
 * with 50 held connections.
 */
class SlowClientsTest {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(3);

  /** How late after its deadline a close may be observed on a busy machine. */
  private static final Duration MARGIN = Duration.ofSeconds(3);

  /** How early: timers fire on the loop's next turn, never before, but clocks differ slightly. */
  private static final Duration EARLY = Duration.ofMillis(300);

  private static HeraldProcess herald;

  @BeforeAll
  static void start() {
    herald =
        HeraldProcess.withDefaults()
            .env("HERALD_REQUEST_TIMEOUT", Long.toString(REQUEST_TIMEOUT.toSeconds()))
            .env("HERALD_KEEP_ALIVE_TIMEOUT", Long.toString(KEEP_ALIVE_TIMEOUT.toSeconds()))
            .start();
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void aTcpConnectionThatNeverSendsAByteIsClosedAtTheRequestTimeout() {
    double timeoutsBefore = requestTimeouts();
    try (FrameSocket silent = FrameSocket.tcp(herald, 0)) {
      long opened = System.nanoTime();
      Duration closedAfter = closedAfter(silent, opened, REQUEST_TIMEOUT);
      assertEquals(timeoutsBefore + 1, requestTimeouts(), "the close was not counted");
      System.out.println("SlowClientsTest: silent TCP connection closed after " + closedAfter);
    }
  }

  @Test
  void aRequestHeadTrickledOneByteAtATimeIsClosedAtTheRequestTimeoutNotReset() {
    try (FrameSocket loris = FrameSocket.tcp(herald, 0)) {
      long opened = System.nanoTime();
      loris.writeRaw(ascii("GET /app/" + HeraldProcess.APP_KEY + "?protocol=7 HTTP/1.1\r\n"));
      // One byte every 100 ms: an idle timeout, reset by each byte, would never fire.
      long deadline = opened + REQUEST_TIMEOUT.plus(MARGIN).toNanos();
      boolean writing = true;
      while (writing && System.nanoTime() < deadline) {
        writing = loris.tryWriteRaw(ascii("X"));
        if (writing) {
          long closed = HostileInputTest.awaitEofBefore(loris, System.nanoTime() + 100_000_000L);
          writing = closed == 0;
        }
      }
      assertTrue(!writing, "the trickling client was still connected after the bound");
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - opened);
      assertTrue(
          closedAfter.compareTo(REQUEST_TIMEOUT.minus(EARLY)) >= 0, "closed early: " + closedAfter);
      System.out.println("SlowClientsTest: trickled request head closed after " + closedAfter);
    }
  }

  @Test
  void aHalfSentEventBodyIsAnswered408AndClosedAtTheRequestTimeout() {
    try (FrameSocket half = FrameSocket.tcp(herald, 0)) {
      String body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"x\"}";
      half.writeRaw(
          ascii(
              "POST /apps/"
                  + HeraldProcess.APP_ID
                  + "/events?auth_key=k HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + (body.length() + 100)
                  + "\r\n\r\n"
                  + body));
      long headSent = System.nanoTime();
      half.socket().setSoTimeout((int) REQUEST_TIMEOUT.plus(MARGIN).toMillis());
      String answer = readAll(half.input());
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - headSent);
      assertTrue(answer.startsWith("HTTP/1.1 408 "), () -> "answered: " + answer);
      assertTrue(
          closedAfter.compareTo(REQUEST_TIMEOUT.minus(EARLY)) >= 0
              && closedAfter.compareTo(REQUEST_TIMEOUT.plus(MARGIN)) <= 0,
          "closed after " + closedAfter);
      System.out.println("SlowClientsTest: half-sent body answered 408 after " + closedAfter);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAtTheKeepAliveTimeoutAndAWebSocketOutlivesIt() {
    String channel = Unique.name("outlives-");
    try (RawClient watcher = RawClient.open(herald.wsUrl());
        FrameSocket keepAlive = FrameSocket.tcp(herald, 0)) {
      watcher.subscribeOk(channel);
      String request = "GET /up HTTP/1.1\r\nHost: x\r\n\r\n";
      keepAlive.writeRaw(ascii(request));
      assertTrue(readHead(keepAlive.input()).startsWith("HTTP/1.1 200 "));
      // A second request on the same connection is served: keep-alive works.
      keepAlive.writeRaw(ascii(request));
      assertTrue(readHead(keepAlive.input()).startsWith("HTTP/1.1 200 "));
      long answered = System.nanoTime();
      Duration closedAfter = closedAfter(keepAlive, answered, KEEP_ALIVE_TIMEOUT);
      System.out.println("SlowClientsTest: idle keep-alive connection closed after " + closedAfter);

      // The watcher has been open longer than both timeouts and is still served.
      herald.api().trigger(channel, "after", "1");
      watcher.assertNext(event(channel, "after", "1"));
      watcher.assertPingPong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Awaits the server's close of {@code raw}, asserting it comes {@code bound} after {@code
   * fromNanos}: not before, and not more than {@link #MARGIN} later.
   */
  private static Duration closedAfter(FrameSocket raw, long fromNanos, Duration bound) {
    long closedAt = HostileInputTest.awaitEofBefore(raw, fromNanos + bound.plus(MARGIN).toNanos());
    assertTrue(closedAt > 0, "still open " + bound.plus(MARGIN) + " later");
    Duration after = Duration.ofNanos(closedAt - fromNanos);
    assertTrue(after.compareTo(bound.minus(EARLY)) >= 0, "closed early: " + after);
    return after;
  }

  /** herald_rejections_total{kind="REQUEST_TIMEOUT"} as /metrics reports it now. */
  private static double requestTimeouts() {
    ApiClient.Response metrics = ApiClient.getUrl(herald.httpBase() + "/metrics");
    assertEquals(200, metrics.status());
    return PrometheusText.parse(metrics.body())
        .value("herald_rejections_total", "kind", "REQUEST_TIMEOUT");
  }

  /** The status line and headers of a response, and its body by Content-Length. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    String text = head.toString();
    int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
    if (at >= 0) {
      int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).trim());
      assertEquals(length, in.readNBytes(length).length);
    }
    return text;
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
