package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading while events are pumped to its channel (RELIABILITY.md, "Slow
 * consumers"): the server keeps its memory bounded by closing that one connection with 4100 once
 * its write queue is full, counts it in {@code /metrics}, and a fast subscriber of the same channel
 * gets every event. The same holds for replies to a client's own frames. Runs on both adapters (in
 * the {@code protocol-tests-on-redis} execution too).
 */
class SlowConsumerTest {

  private static final int EVENT_BYTES = 8000;
  private static final int BATCH = 10;
  private static HeraldProcess herald;

  @BeforeAll
  static void startServer() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stopServer() {
    if (herald != null) {
      herald.close();
    }
  }

  @Test
  void clientThatStopsReadingIsClosedWith4100WhileAFastOneGetsEveryEvent() {
    ServerProbe.require();
    String channel = Unique.name("firehose-");
    long heapBefore = ServerProbe.heapAfterFullGc(herald.pid());
    double slowBefore = HostileInputTest.slowConsumers(herald);
    try (RawClient fast = RawClient.open(herald.wsUrl());
        FrameSocket slow = FrameSocket.open(herald, 4096)) {
      fast.subscribeOk(channel);
      slow.sendText(
          Json.write(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel))));
      assertTrue(slow.awaitText().contains("subscription_succeeded"));
      // From here on the slow client reads nothing until the server has given up on it.

      String padding = "x".repeat(EVENT_BYTES);
      int sent = 0;
      long started = System.nanoTime();
      long closedAfterNanos = -1;
      int sentWhenClosed = -1;
      while (sent < 200_000) {
        sent += batch(channel, sent, padding);
        if (closedAfterNanos < 0 && (sent / BATCH) % 2 == 0) {
          if (HostileInputTest.slowConsumers(herald) > slowBefore) {
            closedAfterNanos = System.nanoTime() - started;
            sentWhenClosed = sent;
          }
        }
        if (sentWhenClosed > 0 && sent >= sentWhenClosed + 100) {
          break; // a few more after the close, which the fast client must get too
        }
      }
      assertTrue(sentWhenClosed > 0, "the slow client was never closed; events sent: " + sent);
      assertEquals(slowBefore + 1, HostileInputTest.slowConsumers(herald));

      // The fast client got every event, in order.
      for (int i = 0; i < sent; i++) {
        JsonNode frame = fast.awaitJson();
        assertEquals(i + ":" + padding, frame.path("data").asText(), "event " + i);
      }
      fast.assertPingPong();

      // Now the slow client reads what was queued for it: a gap-free prefix of the events, then
      // pusher:error 4100 and the close frame 4100.
      long queuedBytes = 0;
      int received = 0;
      String error = null;
      int closeCode;
      while (true) {
        FrameSocket.Frame frame = slow.readFrame();
        if (frame.opcode() == FrameSocket.CLOSE) {
          closeCode = frame.closeCode();
          break;
        }
        String text = frame.text();
        if (text.contains("pusher:error")) {
          error = text;
          continue;
        }
        assertEquals(received + ":" + padding, Json.parse(text).path("data").asText());
        received++;
        queuedBytes += frame.payload().length;
      }
      assertEquals(4100, closeCode);
      assertTrue(
          error != null && error.contains("4100"), "pusher:error before the close: " + error);

      long heapAfter = ServerProbe.heapAfterFullGc(herald.pid());
      System.out.printf(
          "SlowConsumerTest: slow client closed with 4100 after %d ms and %d events of %d bytes;"
              + " %d events (%d KiB) were queued for it in the kernel and the write queue;"
              + " heap after full GC %d KiB before, %d KiB after; fast client got all %d%n",
          closedAfterNanos / 1_000_000,
          sentWhenClosed,
          EVENT_BYTES,
          received,
          queuedBytes / 1024,
          heapBefore / 1024,
          heapAfter / 1024,
          sent);
      assertTrue(
          heapAfter - heapBefore < 16L * 1024 * 1024,
          "heap after full GC grew by " + (heapAfter - heapBefore) / 1024 + " KiB");
    }
    assertTrue(herald.isAlive());
  }

  /**
   * A client that pipelines presence re-subscriptions (subscribe, unsubscribe, over and over) and
   * never reads the replies: replies count toward the connection's outbound bound as broadcasts do,
   * so it is closed with 4100 once more than the reply bound (1 MiB) is queued for it, on either
   * adapter. With Redis the replies are written from Redis's callbacks, long after the frames were
   * read, so pausing the reads (what bounded replies before) bounded nothing there.
   */
  @Test
  void clientThatPipelinesPresenceResubscriptionsAndNeverReadsIsClosedWith4100() {
    String channel = Unique.name("presence-resubscribe-");
    double slowBefore = HostileInputTest.slowConsumers(herald);
    try (FrameSocket flooder = FrameSocket.open(herald, 4096)) {
      String data =
          Json.write(Map.of("user_id", "flooder", "user_info", Map.of("pad", "x".repeat(800))));
      String subscribe =
          Json.write(
              Map.of(
                  "event",
                  "pusher:subscribe",
                  "data",
                  Map.of(
                      "channel",
                      channel,
                      "auth",
                      Signatures.presenceAuth(flooder.socketId(), channel, data),
                      "channel_data",
                      data)));
      String unsubscribe =
          Json.write(Map.of("event", "pusher:unsubscribe", "data", Map.of("channel", channel)));
      java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 64; i++) {
        burst.writeBytes(textFrame(subscribe));
        burst.writeBytes(textFrame(unsubscribe));
      }
      byte[] bytes = burst.toByteArray();
      java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                while (written.get() < 256L * 1024 * 1024 && flooder.tryWriteRaw(bytes)) {
                  written.addAndGet(bytes.length);
                }
              },
              "resubscribe-flood");
      writer.setDaemon(true);
      long started = System.nanoTime();
      writer.start();
      long deadline = started + java.time.Duration.ofSeconds(60).toNanos();
      while (HostileInputTest.slowConsumers(herald) <= slowBefore) {
        if (System.nanoTime() >= deadline) {
          throw new AssertionError(
              "not closed as a slow consumer; the server took "
                  + written.get() / 1024
                  + " KiB; what it had sent: "
                  + lastFrames(flooder));
        }
        ClusterTest.pause(java.time.Duration.ofMillis(100));
      }
      long closedMillis = (System.nanoTime() - started) / 1_000_000;
      long writtenWhenClosed = written.get();

      // What was queued for it: replies, then pusher:error 4100 and the close frame 4100.
      int replies = 0;
      long replyBytes = 0;
      String error = null;
      int closeCode;
      while (true) {
        FrameSocket.Frame frame = flooder.readFrame();
        if (frame.opcode() == FrameSocket.CLOSE) {
          closeCode = frame.closeCode();
          break;
        }
        if (frame.opcode() != FrameSocket.TEXT) {
          continue;
        }
        String text = frame.text();
        if (text.contains("pusher:error")) {
          error = text;
        } else {
          replies++;
          replyBytes += frame.payload().length;
        }
      }
      System.out.printf(
          "SlowConsumerTest: presence re-subscribe flood closed with 4100 after %d ms; the client"
              + " had written %d KiB; %d replies (%d KiB) were queued for it%n",
          closedMillis, writtenWhenClosed / 1024, replies, replyBytes / 1024);
      assertEquals(4100, closeCode);
      String lastError = error;
      assertTrue(
          lastError != null && lastError.contains("4100"),
          () -> "pusher:error before the close: " + lastError);
      assertEquals(slowBefore + 1, HostileInputTest.slowConsumers(herald));
    }
    try (RawClient other = RawClient.open(herald.wsUrl())) {
      other.assertPingPong();
    }
    assertTrue(herald.isAlive());
  }

  /** The close code and last text frames the server sent, for a failure message. */
  private static String lastFrames(FrameSocket socket) {
    java.util.Deque<String> last = new java.util.ArrayDeque<>();
    try {
      while (true) {
        FrameSocket.Frame frame = socket.readFrame();
        if (frame.opcode() == FrameSocket.CLOSE) {
          return last + " then close " + frame.closeCode();
        }
        if (frame.opcode() == FrameSocket.TEXT) {
          last.addLast(frame.text().length() > 120 ? frame.text().substring(0, 120) : frame.text());
          if (last.size() > 3) {
            last.removeFirst();
          }
        }
      }
    } catch (RuntimeException | AssertionError e) {
      return last + " then " + e;
    }
  }

  private static byte[] textFrame(String text) {
    byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return FrameSocket.frame(true, FrameSocket.TEXT, payload, true, payload.length);
  }

  /** Sends events {@code first..first+BATCH-1} in one batch request; returns how many. */
  private static int batch(String channel, int first, String padding) {
    List<Map<String, String>> items = new ArrayList<>();
    for (int i = first; i < first + BATCH; i++) {
      items.add(Map.of("channel", channel, "name", "e", "data", i + ":" + padding));
    }
    ApiClient.Response response =
        herald.api().post("/batch_events", Json.write(Map.of("batch", items)));
    assertEquals(200, response.status(), response::body);
    return BATCH;
  }
}
