package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertSubscriptionError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile input corpus (RELIABILITY.md): every input a client or an API caller should never
 * send, down to handcrafted frames and upgrade requests. Each gets the documented answer, and a
 * watcher that subscribed before it still gets an event triggered after it: one misbehaving peer
 * never costs anyone else their service.
 */
class HostileInputTest {

  /** Large enough that deeply nested JSON reaches the decoder instead of the size check. */
  private static final int MAX_MESSAGE_SIZE = 250_000;

  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE))
            .env("HERALD_APP_CLIENT_EVENT_RATE_LIMIT", "0")
            .start();
  }

  @AfterAll
  static void stopServer() {
    if (herald != null) {
      herald.close();
    }
  }

  /**
   * Runs {@code attack} while a watcher is subscribed, then proves the server still serves it (an
   * event triggered afterwards arrives, with nothing unexpected before it) and still accepts a
   * newcomer.
   */
  private static void othersStayServed(Runnable attack) {
    String channel = Unique.name("watch-");
    try (RawClient watcher = RawClient.open(herald.wsUrl())) {
      watcher.subscribeOk(channel);
      attack.run();
      herald.api().trigger(channel, "after", "1");
      watcher.assertNext(event(channel, "after", "1"));
      watcher.assertPingPong();
      try (RawClient newcomer = RawClient.open(herald.wsUrl())) {
        newcomer.assertPingPong();
      }
    }
    assertTrue(herald.isAlive(), "the server process ended");
  }

  // ---- JSON ------------------------------------------------------------------------------------

  private static final List<String> EVERY_JSON_TYPE =
      List.of("null", "true", "false", "0", "-1.5e300", "\"text\"", "[]", "[1,{}]", "{}");

  @Test
  void pingWithDataOfEveryJsonTypeIsAnsweredWithPong() {
    othersStayServed(
        () -> {
          try (RawClient client = RawClient.open(herald.wsUrl())) {
            for (String data : EVERY_JSON_TYPE) {
              client.sendText("{\"event\":\"pusher:ping\",\"data\":" + data + "}");
              client.assertNext("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
            }
          }
        });
  }

  @Test
  void subscribeWithDataThatIsNotAnObjectGets4200() {
    othersStayServed(
        () -> {
          try (RawClient client = RawClient.open(herald.wsUrl())) {
            for (String data : EVERY_JSON_TYPE) {
              if (data.equals("{}")) {
                continue;
              }
              client.sendText("{\"event\":\"pusher:subscribe\",\"data\":" + data + "}");
              assertError(client.awaitJson(), 4200);
            }
            client.assertPingPong();
          }
        });
  }

  @Test
  void clientEventDataOfEveryJsonTypeIsRelayedByteForByte() {
    String channel = Unique.name("private-types-");
    othersStayServed(
        () -> {
          try (RawClient sender = RawClient.open(herald.wsUrl());
              RawClient receiver = RawClient.open(herald.wsUrl())) {
            sender.subscribePrivateOk(channel);
            receiver.subscribePrivateOk(channel);
            for (String data : EVERY_JSON_TYPE) {
              String frame =
                  "{\"event\":\"client-t\",\"channel\":\"" + channel + "\",\"data\":" + data + "}";
              sender.sendText(frame);
              assertEquals(Json.parse(frame), receiver.awaitJson(), data);
            }
            sender.assertPingPong();
          }
        });
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "{\"event\":\"pusher:ping\",\"data\":%s}",
        "{\"event\":\"pusher:subscribe\",\"data\":%s}",
        "%s",
      })
  void deeplyNestedJsonGets4200WithoutAStackOverflow(String template) {
    int depth = 100_000;
    String open = "[".repeat(depth);
    String balanced = open + "]".repeat(depth);
    othersStayServed(
        () -> {
          try (RawClient client = RawClient.open(herald.wsUrl())) {
            client.sendText(String.format(template, open));
            assertError(client.awaitJson(), 4200);
            String frame = String.format(template, balanced);
            if (frame.length() <= MAX_MESSAGE_SIZE) {
              client.sendText(frame);
              assertError(client.awaitJson(), 4200);
            }
            client.assertPingPong();
          }
        });
    assertTrue(!herald.output().contains("StackOverflowError"), herald::output);
  }

  // ---- frames ----------------------------------------------------------------------------------

  /**
   * Vert.x decodes a text frame with invalid UTF-8 using U+FFFD for the bad bytes, so the frame is
   * handled as the text it decodes to, and nothing Herald relays is invalid UTF-8: a browser
   * receiving that would fail its own connection with 1007.
   */
  @Test
  void invalidUtf8IsReplacedWithU0xFFFDAndNeverRelayedAsInvalidUtf8() {
    String channel = Unique.name("private-utf8-");
    othersStayServed(
        () -> {
          try (FrameSocket sender = FrameSocket.open(herald, 0);
              FrameSocket receiver = FrameSocket.open(herald, 0)) {
            sender.sendFrame(
                true,
                FrameSocket.TEXT,
                invalidUtf8("{\"event\":\"pusher:ping\",\"data\":\"", "\"}"));
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", sender.awaitText());
            for (FrameSocket socket : List.of(sender, receiver)) {
              String id = socket.socketId();
              socket.sendText(
                  Json.write(
                      Map.of(
                          "event",
                          "pusher:subscribe",
                          "data",
                          Map.of(
                              "channel", channel, "auth", Signatures.privateAuth(id, channel)))));
              assertTrue(socket.awaitText().contains("subscription_succeeded"));
            }
            sender.sendFrame(
                true,
                FrameSocket.TEXT,
                invalidUtf8(
                    "{\"event\":\"client-bad\",\"channel\":\"" + channel + "\",\"data\":\"",
                    "\"}"));
            FrameSocket.Frame relayed = receiver.readFrame();
            String text = strictUtf8(relayed.payload());
            assertEquals(
                "{\"event\":\"client-bad\",\"channel\":\"" + channel + "\",\"data\":\"\uFFFD(\"}",
                text);
          }
        });
  }

  /**
   * {@code before}, a UTF-8 lead byte followed by no continuation byte, {@code (} and {@code
   * after}.
   */
  private static byte[] invalidUtf8(String before, String after) {
    byte[] head = bytes(before);
    byte[] tail = bytes(after);
    byte[] frame = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, frame, 0, head.length);
    frame[head.length] = (byte) 0xC3;
    frame[head.length + 1] = '(';
    System.arraycopy(tail, 0, frame, head.length + 2, tail.length);
    return frame;
  }

  private static String strictUtf8(byte[] payload) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(payload))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new AssertionError("Herald relayed invalid UTF-8", e);
    }
  }

  @Test
  void fragmentedMessageWithAPingBetweenItsFragmentsIsReassembled() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(false, FrameSocket.TEXT, bytes("{\"event\":\"pus"));
            raw.sendFrame(true, FrameSocket.PING, bytes("between"));
            raw.sendFrame(false, FrameSocket.CONTINUATION, bytes("her:ping\",\"da"));
            raw.sendFrame(true, FrameSocket.CONTINUATION, bytes("ta\":{}}"));
            FrameSocket.Frame pong = raw.readFrame();
            assertEquals(FrameSocket.PONG, pong.opcode());
            assertEquals("between", pong.text());
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", raw.awaitText());
          }
        });
  }

  /**
   * Herald reads frames itself: a frame that arrives one byte per TCP segment, header and mask and
   * payload split everywhere, is assembled and answered; so is a fragmented message trickled the
   * same way.
   */
  @Test
  void framesTrickledOneByteAtATimeAreReadWhole() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            String ping =
                "{\"event\":\"pusher:ping\",\"data\":{\"pad\":\"" + "x".repeat(300) + "\"}}";
            for (byte b :
                FrameSocket.frame(true, FrameSocket.TEXT, bytes(ping), true, bytes(ping).length)) {
              raw.writeRaw(new byte[] {b});
            }
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", raw.awaitText());
            byte[] head = bytes("{\"event\":\"pusher:");
            byte[] rest = bytes("ping\",\"data\":{}}");
            byte[] first = FrameSocket.frame(false, FrameSocket.TEXT, head, true, head.length);
            byte[] last =
                FrameSocket.frame(true, FrameSocket.CONTINUATION, rest, true, rest.length);
            for (byte[] frame : List.of(first, last)) {
              for (byte b : frame) {
                raw.writeRaw(new byte[] {b});
              }
            }
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", raw.awaitText());
          }
        });
  }

  /**
   * A client's close with a valid code is answered with the same code, then the server hangs up.
   */
  @ParameterizedTest(name = "close code {0}")
  @ValueSource(ints = {1000, 1001, 3000, 4000, 4999})
  void closeWithAValidCodeIsEchoedAndTheConnectionEnds(int code) {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendClose(code);
            assertEquals(code, raw.awaitClose(RawClient.TIMEOUT));
            assertTrue(raw.awaitEof(RawClient.TIMEOUT), "the TCP connection stayed open");
          }
        });
  }

  @Test
  void continuationWithoutAStartIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(true, FrameSocket.CONTINUATION, bytes("{}"));
            assertDropped(raw);
          }
        });
  }

  @Test
  void newMessageInsideAFragmentedOneIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(false, FrameSocket.TEXT, bytes("{\"event\":"));
            raw.sendFrame(true, FrameSocket.TEXT, bytes("{}"));
            assertDropped(raw);
          }
        });
  }

  @Test
  void singleFrameWithinTheAppLimitIsHandledWhateverItsSize() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            String ping = "{\"event\":\"pusher:ping\",\"data\":{\"pad\":\"%s\"}}";
            raw.sendText(String.format(ping, "x".repeat(200_000)));
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", raw.awaitText());
          }
        });
  }

  @Test
  void singleFrameOverTheWebSocketLimitIsDropped() {
    // The limit Vert.x enforces: max(256 KiB, 2 x the largest max_message_size) = 500 000.
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.tryWriteRaw(
                FrameSocket.frame(true, FrameSocket.TEXT, new byte[500_001], true, 500_001));
            int code = raw.awaitClose(RawClient.TIMEOUT);
            assertTrue(code == 1009 || code == 1006, () -> "closed with " + code);
          }
        });
  }

  @Test
  void frameClaimingAnAbsurdLengthIsClosedWithoutWaitingForIt() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.writeRaw(FrameSocket.frame(true, FrameSocket.TEXT, new byte[0], true, 1L << 62));
            int code = raw.awaitClose(RawClient.TIMEOUT);
            assertTrue(code == 1009 || code == 1006, () -> "closed with " + code);
          }
        });
  }

  @Test
  void fragmentsAddingUpToMoreThanTheMessageLimitAreClosedWith1009() {
    // The limit Vert.x assembles to: max(256 KiB, 2 x the largest max_message_size) = 500 000.
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            byte[] chunk = new byte[60 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            boolean open = raw.tryWriteRaw(FrameSocket.frame(false, 1, chunk, true, chunk.length));
            for (int i = 0; open && i < 20; i++) {
              open = raw.tryWriteRaw(FrameSocket.frame(false, 0, chunk, true, chunk.length));
            }
            assertEquals(1009, raw.awaitClose(RawClient.TIMEOUT));
          }
        });
  }

  @Test
  void pingOver125BytesIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(true, FrameSocket.PING, new byte[126]);
            assertDropped(raw);
          }
        });
  }

  @Test
  void fragmentedPingIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(false, FrameSocket.PING, bytes("half"));
            assertDropped(raw);
          }
        });
  }

  /**
   * Codes a client may not send (RFC 6455 7.4): the connection ends at once, never hangs. Vert.x
   * drops it for codes below 3000 and echoes codes above 4999 in its closing handshake.
   */
  @ParameterizedTest(name = "close code {0}")
  @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535})
  void closeWithAnInvalidCodeEndsTheConnection(int code) {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendClose(code);
            int answer = raw.awaitClose(RawClient.TIMEOUT);
            assertTrue(
                answer == 1002 || answer == 1006 || (code >= 5000 && answer == code),
                () -> "answered " + answer);
            assertTrue(raw.awaitEof(RawClient.TIMEOUT), "the TCP connection stayed open");
          }
        });
  }

  @Test
  void closeWithAOneByteBodyIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(true, FrameSocket.CLOSE, new byte[] {3});
            assertDropped(raw);
          }
        });
  }

  @ParameterizedTest(name = "opcode {0}")
  @ValueSource(ints = {0x3, 0x7, 0xB, 0xF})
  void reservedOpcodeIsDropped(int opcode) {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            raw.sendFrame(true, opcode, bytes("{}"));
            assertDropped(raw);
          }
        });
  }

  @Test
  void unmaskedClientFrameIsDropped() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            byte[] ping = bytes("{\"event\":\"pusher:ping\",\"data\":{}}");
            raw.writeRaw(FrameSocket.frame(true, FrameSocket.TEXT, ping, false, ping.length));
            assertDropped(raw);
          }
        });
  }

  @Test
  void reservedBitsSetAreClosedWith1002() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 0)) {
            byte[] frame = FrameSocket.frame(true, FrameSocket.TEXT, bytes("{}"), true, 2);
            frame[0] |= 0x40; // RSV1 without a negotiated extension
            raw.writeRaw(frame);
            assertDropped(raw);
          }
        });
  }

  /**
   * A client that sends WebSocket pings as fast as it can and never reads the pongs: Vert.x answers
   * pings below Herald, so once the client's write queue is full the next ping closes it with 4100
   * (counted as a slow consumer) instead of queueing pongs without bound.
   */
  @Test
  void webSocketPingFloodFromAClientThatNeverReadsIsClosedAsASlowConsumer() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 4096)) {
            double before = slowConsumers(herald);
            Flood flood =
                flood(raw, FrameSocket.frame(true, FrameSocket.PING, new byte[125], true, 125));
            assertTrue(
                flood.refused() || flood.stalled(), () -> "the server kept reading: " + flood);
            assertReadAtMost(FLOOD_BOUND, flood);
            // The close frame (4100) waits behind the pongs the client never read; a client that
            // reads nothing sees the connection end.
            int code = raw.awaitClose(Duration.ofSeconds(30));
            assertTrue(code == 4100 || code == 1006, () -> "closed with " + code);
            assertEquals(before + 1, slowConsumers(herald));
            System.out.println("HostileInputTest: ping flood closed as a slow consumer, " + flood);
          }
        });
  }

  /**
   * A client that sends {@code pusher:ping} as fast as it can and never reads the pongs: Herald
   * stops reading from it while its write queue is full, so the client's own writes stall.
   */
  @Test
  void pusherPingFloodFromAClientThatNeverReadsIsThrottledByBackpressure() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.open(herald, 4096)) {
            byte[] ping = bytes("{\"event\":\"pusher:ping\",\"data\":{}}");
            Flood flood =
                flood(raw, FrameSocket.frame(true, FrameSocket.TEXT, ping, true, ping.length));
            assertTrue(flood.stalled(), () -> "the server read everything: " + flood);
            assertReadAtMost(FLOOD_BOUND, flood);
            System.out.println("HostileInputTest: pusher:ping flood " + flood);
          }
        });
  }

  /** herald_rejections_total{kind="SLOW_CONSUMER"} as /metrics reports it now. */
  static double slowConsumers(HeraldProcess server) {
    ApiClient.Response metrics = ApiClient.getUrl(server.httpBase() + "/metrics");
    assertEquals(200, metrics.status());
    return PrometheusText.parse(metrics.body())
        .value("herald_rejections_total", "kind", "SLOW_CONSUMER");
  }

  /**
   * How much of a flood a client that never reads may get written before its writes stall or fail.
   * What it wrote is what the server read plus what the two kernels buffer on loopback (a few MiB);
   * Herald stops reading after ~3.9 MiB of pings. Before that fix it read 45-64 MiB (until Vert.x's
   * closing timeout), so the bound tells the two apart with room for larger socket buffers.
   */
  private static final long FLOOD_BOUND = 16L * 1024 * 1024;

  private static void assertReadAtMost(long bound, Flood flood) {
    assertTrue(
        flood.written() <= bound,
        () -> "the server read too much of the flood (bound " + bound / 1024 + " KiB): " + flood);
  }

  /** What became of a flood: bytes written, and whether the writes stalled or were refused. */
  private record Flood(long written, boolean stalled, boolean refused) {
    @Override
    public String toString() {
      return (stalled ? "stalled" : refused ? "refused" : "accepted in full")
          + " after "
          + written / 1024
          + " KiB";
    }
  }

  /**
   * Writes up to 64 MiB of {@code frame} over and over from another thread without reading; stops
   * when no byte has been accepted for 2 s (stalled) or a write fails (the server closed).
   */
  private static Flood flood(FrameSocket raw, byte[] frame) {
    long floodBytes = 64L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean refused =
        new java.util.concurrent.atomic.AtomicBoolean();
    byte[] burst = new byte[frame.length * 512];
    for (int i = 0; i < 512; i++) {
      System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
    }
    Thread writer =
        new Thread(
            () -> {
              while (written.get() < floodBytes) {
                if (!raw.tryWriteRaw(burst)) {
                  refused.set(true);
                  return;
                }
                written.addAndGet(burst.length);
              }
            },
            "flood");
    writer.setDaemon(true);
    writer.start();
    long stalledSince = System.nanoTime();
    long last = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && writer.isAlive()) {
      long now = written.get();
      if (now != last) {
        last = now;
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > Duration.ofSeconds(2).toNanos()) {
        return new Flood(now, true, false);
      }
      ClusterTest.pause(Duration.ofMillis(50));
    }
    return new Flood(written.get(), false, refused.get());
  }

  /**
   * The server ended the connection for a protocol violation: a close frame 1002 or a plain TCP
   * close.
   */
  private static void assertDropped(FrameSocket raw) {
    int code = raw.awaitClose(RawClient.TIMEOUT);
    assertTrue(code == 1002 || code == 1006, () -> "closed with " + code);
    assertTrue(raw.awaitEof(RawClient.TIMEOUT), "the TCP connection stayed open");
  }

  // ---- upgrade requests ------------------------------------------------------------------------

  @Test
  void hugeHeaderOnTheUpgradeIsAnswered431() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            Map<String, String> headers = FrameSocket.standardHeaders();
            headers.put("X-Padding", "x".repeat(64 * 1024));
            assertEquals(431, raw.upgrade(wsTarget(), headers).status());
          }
        });
  }

  @Test
  void thousandsOfHeadersOnTheUpgradeAreAnswered431() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            Map<String, String> headers = FrameSocket.standardHeaders();
            for (int i = 0; i < 5000; i++) {
              headers.put("X-H" + i, "v");
            }
            assertEquals(431, raw.upgrade(wsTarget(), headers).status());
          }
        });
  }

  @Test
  void hugeRequestLineIsAnswered414() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            String target = wsTarget() + "&pad=" + "x".repeat(64 * 1024);
            assertEquals(414, raw.upgrade(target, FrameSocket.standardHeaders()).status());
          }
        });
  }

  @Test
  void upgradeWithoutSecWebSocketKeyIsAnswered400() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            Map<String, String> headers = FrameSocket.standardHeaders();
            headers.remove("Sec-WebSocket-Key");
            assertEquals(400, raw.upgrade(wsTarget(), headers).status());
          }
        });
  }

  @Test
  void upgradeWithAnUnsupportedVersionIsAnswered426NamingVersion13() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            Map<String, String> headers = FrameSocket.standardHeaders();
            headers.put("Sec-WebSocket-Version", "99");
            FrameSocket.Handshake answer = raw.upgrade(wsTarget(), headers);
            assertEquals(426, answer.status(), answer::toString);
            assertEquals("13", answer.headers().get("sec-websocket-version"), answer::toString);
          }
        });
  }

  @Test
  void plainGetOnTheWebSocketPathIsNotUpgraded() {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Connection", "close");
            FrameSocket.Handshake answer = raw.upgrade(wsTarget(), headers);
            assertTrue(answer.status() >= 400 && answer.status() < 500, answer::toString);
          }
        });
  }

  /** {@code HERALD_REQUEST_TIMEOUT}'s documented default, which this class's server runs with. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** How late after its deadline a close may be observed on a busy machine. */
  private static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

  @Test
  void slowlorisUpgradesAreClosedWithinTheRequestTimeoutAndOthersAreServedWhileTheyAreHeld() {
    List<FrameSocket> loris = new java.util.ArrayList<>();
    long firstOpened = System.nanoTime();
    try {
      for (int i = 0; i < 50; i++) {
        FrameSocket raw = FrameSocket.tcp(herald, 0);
        raw.writeRaw(bytes("GET " + wsTarget() + " HTTP/1.1\r\nHost: x\r\nX-Slow: "));
        loris.add(raw);
      }
      long lastOpened = System.nanoTime();
      // Served while all 50 are held open, each still trickling its header.
      othersStayServed(() -> loris.forEach(raw -> raw.writeRaw(bytes("a"))));
      Duration servedAfter = Duration.ofNanos(System.nanoTime() - firstOpened);
      assertTrue(
          servedAfter.compareTo(REQUEST_TIMEOUT) < 0,
          "others were served only after " + servedAfter + ", when the server may have closed");

      long deadline = lastOpened + REQUEST_TIMEOUT.plus(CLOSE_MARGIN).toNanos();
      long lastClosed = 0;
      for (FrameSocket raw : loris) {
        long closedAt = awaitEofBefore(raw, deadline);
        assertTrue(closedAt > 0, "a half-open upgrade was still open after the bound");
        lastClosed = Math.max(lastClosed, closedAt);
      }
      Duration closedAfter = Duration.ofNanos(lastClosed - firstOpened);
      assertTrue(
          closedAfter.compareTo(REQUEST_TIMEOUT.minusMillis(500)) > 0,
          "closed before the request timeout: " + closedAfter);
      System.out.println(
          "HostileInputTest: 50 half-open upgrades; others served after "
              + servedAfter.toMillis()
              + " ms; all closed by the server "
              + closedAfter.toMillis()
              + " ms after the first was opened");
    } finally {
      loris.forEach(FrameSocket::close);
    }
  }

  /**
   * The time the server ended the connection (read EOF or a reset), or 0 if it was still open at
   * {@code deadlineNanos}. Whatever the server sent before is skipped.
   */
  static long awaitEofBefore(FrameSocket raw, long deadlineNanos) {
    try {
      while (true) {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return 0;
        }
        raw.socket().setSoTimeout((int) left);
        if (raw.input().read() < 0) {
          return System.nanoTime();
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return 0;
    } catch (java.io.IOException reset) {
      return System.nanoTime();
    }
  }

  private static String wsTarget() {
    return "/app/" + HeraldProcess.APP_KEY + "?protocol=7";
  }

  // ---- traversal -------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "/app/../apps/1001/channels?protocol=7",
        "/app/%2e%2e/%2e%2e/etc/passwd?protocol=7",
        "/app/..%2f..%2fapps%2f1001?protocol=7",
        "/app/herald-test-key/..?protocol=7",
        "/app/..?protocol=7",
        "/app/%00?protocol=7",
      })
  void traversalInTheAppKeyPathIsRefused(String target) {
    othersStayServed(
        () -> {
          try (FrameSocket raw = FrameSocket.tcp(herald, 0)) {
            FrameSocket.Handshake answer = raw.upgrade(target, FrameSocket.standardHeaders());
            if (answer.status() == 101) {
              String error = raw.awaitText();
              int code = Json.parse(error).path("data").path("code").asInt();
              assertTrue(code == 4001 || code == 4005, error);
              assertEquals(code, raw.awaitClose(RawClient.TIMEOUT));
            } else {
              assertTrue(answer.status() >= 400 && answer.status() < 500, answer::toString);
            }
          }
        });
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "../private-x",
        "..%2fprivate-x",
        "%2e%2e",
        "private-../../etc/passwd",
        "a/b",
        "a\\\\b",
        "a\u0000b",
        "presence-..%2f..",
      })
  void traversalInAChannelNameIsAnInvalidChannel(String channel) {
    othersStayServed(
        () -> {
          try (RawClient client = RawClient.open(herald.wsUrl())) {
            client.subscribe(channel);
            JsonNode frame = client.awaitJson();
            assertSubscriptionError(frame, channel, "InvalidChannel", 400);
            client.assertPingPong();
          }
          ApiClient.Response info = herald.api().get("/channels/" + urlEncode(channel));
          assertTrue(
              info.status() == 400 || info.status() == 404,
              () -> info.status() + " " + info.body());
          ApiClient.assertError(info, info.status());
          ApiClient.Response trigger =
              herald
                  .api()
                  .post(
                      "/events", Json.write(Map.of("name", "x", "channel", channel, "data", "1")));
          ApiClient.assertError(trigger, 400);
        });
  }

  private static String urlEncode(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- subscriptions ---------------------------------------------------------------------------

  @Test
  void tenThousandSubscribesOnOneSocketStopAtTheLimitAndHurtNoOne() {
    int sent = 10_000;
    int limit = 1000; // max_subscriptions_per_connection default
    othersStayServed(
        () -> {
          try (RawClient greedy = RawClient.open(herald.wsUrl())) {
            String prefix = Unique.name("greedy-") + "-";
            long started = System.nanoTime();
            for (int i = 0; i < sent; i++) {
              greedy.subscribe(prefix + i);
            }
            int succeeded = 0;
            int refused = 0;
            for (int i = 0; i < sent; i++) {
              JsonNode reply = greedy.awaitJson();
              String event = reply.path("event").asText();
              if (event.equals("pusher_internal:subscription_succeeded")) {
                succeeded++;
              } else {
                assertSubscriptionError(
                    reply, reply.path("channel").asText(), "LimitReached", 4100);
                refused++;
              }
            }
            assertEquals(limit, succeeded);
            assertEquals(sent - limit, refused);
            System.out.println(
                "HostileInputTest: "
                    + sent
                    + " subscribes on one socket answered in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis()
                    + " ms ("
                    + succeeded
                    + " succeeded, "
                    + refused
                    + " LimitReached)");
            greedy.assertPingPong();
          }
        });
  }

  // ---- HTTP API --------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "not json",
        "",
        "null",
        "42",
        "\"text\"",
        "[]",
        "[{\"name\":\"x\",\"channel\":\"c\",\"data\":\"1\"}]",
        "{\"name\":\"x\",\"channel\":\"c\",\"data\":\"1\"",
        "{\"name\":\"x\",\"channel\":\"c\",\"data\":{\"not\":\"a string\"}}",
        "{\"name\":[],\"channel\":\"c\",\"data\":\"1\"}",
        "{\"name\":\"x\",\"channels\":\"c\",\"data\":\"1\"}",
        "{\"name\":\"x\",\"channels\":[1,2],\"data\":\"1\"}",
        "{\"name\":\"x\",\"channel\":\"c\",\"data\":\"1\",\"socket_id\":7}",
      })
  void eventBodyThatIsNotAValidEventIs400(String body) {
    othersStayServed(() -> ApiClient.assertError(herald.api().post("/events", body), 400));
  }

  @Test
  void deeplyNestedRequestBodyIs400WithoutAStackOverflow() {
    othersStayServed(
        () -> {
          String nested = "[".repeat(100_000) + "]".repeat(100_000);
          ApiClient.assertError(
              herald.api().post("/events", "{\"name\":\"x\",\"channel\":\"c\",\"data\":" + nested),
              400);
          ApiClient.assertError(herald.api().post("/batch_events", nested), 400);
        });
    assertTrue(!herald.output().contains("StackOverflowError"), herald::output);
  }

  @Test
  void requestBodyOverTheLimitIs413() {
    othersStayServed(
        () -> {
          String body =
              Json.write(Map.of("name", "x", "channel", "c", "data", "x".repeat(300 * 1024)));
          ApiClient.assertError(herald.api().post("/events", body), 413);
        });
  }

  private static final String BODY = "{\"name\":\"x\",\"channel\":\"signed\",\"data\":\"1\"}";

  @Test
  void everyWrongSignatureIs401() {
    long now = System.currentTimeMillis() / 1000;
    othersStayServed(
        () -> {
          Map<String, ApiClient.Response> answers = new LinkedHashMap<>();
          answers.put(
              "unsigned", herald.api().request("POST", "/events").body(BODY).unsigned().send());
          answers.put(
              "stale (700 s old)",
              herald.api().request("POST", "/events").body(BODY).timestamp(now - 700).send());
          answers.put(
              "future (700 s ahead)",
              herald.api().request("POST", "/events").body(BODY).timestamp(now + 700).send());
          answers.put(
              "timestamp not a number", signedWithRawParams(Map.of("auth_timestamp", "soon")));
          answers.put(
              "wrong body_md5",
              herald.api().request("POST", "/events").body(BODY).bodyMd5("0".repeat(32)).send());
          answers.put(
              "signature of another secret",
              herald
                  .api()
                  .request("POST", "/events")
                  .body(BODY)
                  .credentials(HeraldProcess.APP_KEY, "guess")
                  .send());
          answers.put(
              "unknown key",
              herald
                  .api()
                  .request("POST", "/events")
                  .body(BODY)
                  .credentials("other-key", HeraldProcess.APP_SECRET)
                  .send());
          answers.put(
              "signature not hex",
              herald.api().request("POST", "/events").body(BODY).signature("zz").send());
          answers.put(
              "signature over another path",
              herald
                  .api()
                  .request("POST", "/events")
                  .body(BODY)
                  .signedPath("/apps/1001/batch_events")
                  .send());
          for (String param :
              List.of("auth_key", "auth_timestamp", "auth_version", "auth_signature", "body_md5")) {
            answers.put("without " + param, signedWithout(param));
          }
          answers.forEach(
              (what, response) -> {
                assertEquals(401, response.status(), () -> what + ": " + response.body());
                ApiClient.assertError(response, 401);
              });
        });
  }

  /**
   * Herald checks the timestamp (±600 s) but keeps no record of requests it has seen: a request
   * captured in transit can be sent again within its ten minutes and is accepted again, as Pusher
   * does (RELIABILITY.md says so). This test pins that behaviour so a change to it is deliberate.
   */
  @Test
  void aCapturedRequestReplayedWithinTheWindowIsAcceptedAgain() {
    String channel = Unique.name("replay-");
    try (RawClient client = RawClient.open(herald.wsUrl())) {
      client.subscribeOk(channel);
      String body = Json.write(Map.of("name", "once", "channel", channel, "data", "1"));
      String url = signedUrl("POST", "/events", body, Map.of());
      assertEquals(200, postRaw(url, body).status());
      assertEquals(200, postRaw(url, body).status());
      client.assertNext(event(channel, "once", "1"));
      client.assertNext(event(channel, "once", "1"));
    }
  }

  /** A correctly signed POST /events whose query then loses {@code param}. */
  private static ApiClient.Response signedWithout(String param) {
    String url = signedUrl("POST", "/events", BODY, Map.of());
    String stripped = url.replaceAll("([?&])" + param + "=[^&]*&?", "$1").replaceAll("[?&]$", "");
    return postRaw(stripped, BODY);
  }

  /** A POST /events signed correctly over {@code overrides} in place of the usual values. */
  private static ApiClient.Response signedWithRawParams(Map<String, String> overrides) {
    return postRaw(signedUrl("POST", "/events", BODY, overrides), BODY);
  }

  private static String signedUrl(
      String method, String pathAfterApp, String body, Map<String, String> overrides) {
    String path = "/apps/" + HeraldProcess.APP_ID + pathAfterApp;
    Map<String, String> params = new java.util.TreeMap<>();
    params.put("auth_key", HeraldProcess.APP_KEY);
    params.put("auth_timestamp", Long.toString(System.currentTimeMillis() / 1000));
    params.put("auth_version", "1.0");
    params.put("body_md5", Signatures.md5Hex(body.getBytes(StandardCharsets.UTF_8)));
    params.putAll(overrides);
    params.put(
        "auth_signature",
        Signatures.hmacSha256Hex(
            HeraldProcess.APP_SECRET, ApiClient.stringToSign(method, path, params)));
    StringBuilder url = new StringBuilder(herald.httpBase() + path + "?");
    params.forEach((k, v) -> url.append(k).append('=').append(urlEncode(v)).append('&'));
    return url.substring(0, url.length() - 1);
  }

  private static ApiClient.Response postRaw(String url, String body) {
    try {
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                      .header("Content-Type", "application/json")
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      return new ApiClient.Response(response.statusCode(), response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
