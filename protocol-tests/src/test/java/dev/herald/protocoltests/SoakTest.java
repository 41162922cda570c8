package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak (RELIABILITY.md, "Soak"): connections open and close without pause, join and leave
 * a presence channel and whisper, while the HTTP API fans events out to steady subscribers. The
 * server's heap after a full GC, its resident memory and its open file descriptors are sampled all
 * along; after a warm-up their growth (least-squares slope) must stay within stated bounds,
 * descriptors must come back to their baseline once the clients are gone, the steady subscribers
 * must get every event, and the server must never block an event loop for {@link
 * BlockedThreads#LIMIT}.
 *
 * <p>Two minutes by default; {@code -Dherald.soakSeconds=1800} soaks for half an hour: {@code mvn
 * -pl protocol-tests test -Dtest=SoakTest -Dherald.soakSeconds=1800 -Dherald.skipNpm=true}.
 */
class SoakTest {

  private static final long SOAK_SECONDS = Long.getLong("herald.soakSeconds", 120);
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

  /**
   * Growth allowed after warm-up, per minute: a leak of 1 KiB per churned connection exceeds it.
   */
  private static final double HEAP_SLOPE_BOUND = 512 * 1024;

  /** RSS follows the heap's committed regions and the JIT's code cache, so it may wander more. */
  private static final double RSS_SLOPE_BOUND = 4 * 1024 * 1024;

  private static final int STEADY_WATCHERS = 4;
  private static final int CHURNERS = 4;

  @Test
  void churnPresenceWhispersAndFanOutLeaveMemoryAndDescriptorsFlat() throws Exception {
    ServerProbe.require();
    String fanout = Unique.name("soak-fanout-");
    String presence = Unique.name("presence-soak-");
    String whispers = Unique.name("private-soak-");
    try (HeraldProcess herald =
        // The steady clients only listen; the server must not ping them away mid-soak.
        HeraldProcess.withDefaults().env("REVERB_APP_PING_INTERVAL", "86400").start()) {
      long pid = herald.pid();
      int baselineFds = ServerProbe.openFds(pid);
      List<RawClient> watchers = new ArrayList<>();
      for (int i = 0; i < STEADY_WATCHERS; i++) {
        RawClient watcher = RawClient.open(herald.wsUrl());
        watcher.subscribeOk(fanout);
        watchers.add(watcher);
      }
      RawClient member = RawClient.open(herald.wsUrl());
      member.subscribePresence(presence, ClusterTest.presenceData("steady"));
      member.awaitUntilEvent("pusher_internal:subscription_succeeded");
      RawClient listener = RawClient.open(herald.wsUrl());
      listener.subscribePrivateOk(whispers);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger connections = new AtomicInteger();
      AtomicInteger whispered = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(CHURNERS);
      List<Future<?>> churn = new ArrayList<>();
      for (int c = 0; c < CHURNERS; c++) {
        int churner = c;
        churn.add(
            pool.submit(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    try (RawClient client = RawClient.open(herald.wsUrl())) {
                      client.subscribePresence(
                          presence, ClusterTest.presenceData("churn-" + churner + "-" + i % 50));
                      client.awaitUntilEvent("pusher_internal:subscription_succeeded");
                      client.sendJson(
                          Map.of(
                              "event",
                              "pusher:subscribe",
                              "data",
                              Map.of(
                                  "channel",
                                  whispers,
                                  "auth",
                                  Signatures.privateAuth(client.socketId(), whispers))));
                      // Member events of the presence channel may come first.
                      client.awaitUntil(
                          f ->
                              f.path("event")
                                      .asText()
                                      .equals("pusher_internal:subscription_succeeded")
                                  && f.path("channel").asText().equals(whispers));
                      client.sendText(
                          "{\"event\":\"client-soak\",\"channel\":\""
                              + whispers
                              + "\",\"data\":{\"n\":"
                              + i
                              + "}}");
                      whispered.incrementAndGet();
                      client.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
                      client.awaitUntilEvent("pusher:pong");
                    }
                    connections.incrementAndGet();
                  }
                  return null;
                }));
      }

      List<Double> minutes = new ArrayList<>();
      List<Double> heap = new ArrayList<>();
      List<Double> rss = new ArrayList<>();
      List<Integer> fds = new ArrayList<>();
      long started = System.nanoTime();
      long nextSample = started;
      int sent = 0;
      while (System.nanoTime() - started < Duration.ofSeconds(SOAK_SECONDS).toNanos()) {
        herald.api().trigger(fanout, "tick", Integer.toString(sent++));
        if (System.nanoTime() >= nextSample) {
          minutes.add((System.nanoTime() - started) / 60e9);
          heap.add((double) ServerProbe.heapAfterFullGc(pid));
          rss.add((double) ServerProbe.rss(pid));
          fds.add(ServerProbe.openFds(pid));
          nextSample += SAMPLE_EVERY.toNanos();
        }
        ClusterTest.pause(Duration.ofMillis(20));
        for (Future<?> running : churn) {
          if (running.isDone()) {
            running.get(); // a churner failed: report why
          }
        }
      }
      stop.set(true);
      for (Future<?> running : churn) {
        running.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      // Every fan-out event reached every steady watcher, in order; every whisper the listener.
      for (RawClient watcher : watchers) {
        for (int i = 0; i < sent; i++) {
          JsonNode frame = watcher.awaitJson();
          assertEquals(Integer.toString(i), frame.path("data").asText(), frame::toString);
        }
        watcher.assertPingPong();
      }
      int heard = 0;
      listener.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
      for (JsonNode frame : listener.awaitUntilEvent("pusher:pong")) {
        if (frame.path("event").asText().equals("client-soak")) {
          heard++;
        }
      }
      assertEquals(whispered.get(), heard, "whispers relayed to the steady listener");

      // Nothing of the churn is left behind: one member, the steady subscribers only.
      ApiClient.Response users = herald.api().get("/channels/" + presence + "/users");
      assertEquals("{\"users\":[{\"id\":\"steady\"}]}", users.body());
      ApiClient.Response count =
          herald.api().get("/channels/" + fanout, "info", "subscription_count");
      assertEquals(
          "{\"occupied\":true,\"subscription_count\":" + STEADY_WATCHERS + "}", count.body());

      // Descriptors come back to the baseline once the clients are gone.
      watchers.forEach(RawClient::close);
      member.close();
      listener.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int fdsAfter = ServerProbe.openFds(pid);
      while (fdsAfter > baselineFds + 2 && System.nanoTime() < deadline) {
        ClusterTest.pause(Duration.ofMillis(200));
        fdsAfter = ServerProbe.openFds(pid);
      }

      int warmUp = Math.max(1, minutes.size() / 3);
      double heapSlope =
          ServerProbe.slope(
              minutes.subList(warmUp, minutes.size()), heap.subList(warmUp, heap.size()));
      double rssSlope =
          ServerProbe.slope(
              minutes.subList(warmUp, minutes.size()), rss.subList(warmUp, rss.size()));
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "SoakTest: %d s: %d connections churned (%.1f/s) with presence joins/leaves and %d"
              + " whispers, %d fan-out events to %d watchers, 0 lost; heap after full GC %s KiB"
              + " (slope after warm-up %.1f KiB/min), RSS %s MiB (slope %.2f MiB/min), fds %s,"
              + " baseline %d, after close %d%n",
          SOAK_SECONDS,
          connections.get(),
          connections.get() / seconds,
          whispered.get(),
          sent,
          STEADY_WATCHERS,
          heap.stream().map(b -> Long.toString(Math.round(b / 1024))).toList(),
          heapSlope / 1024,
          rss.stream().map(b -> Long.toString(Math.round(b / 1048576))).toList(),
          rssSlope / 1048576,
          fds,
          baselineFds,
          fdsAfter);
      assertTrue(minutes.size() >= 4, "too few samples: " + minutes.size());
      assertTrue(
          heapSlope < HEAP_SLOPE_BOUND,
          "heap after full GC grows " + heapSlope / 1024 + " KiB/min after warm-up: " + heap);
      assertTrue(
          rssSlope < RSS_SLOPE_BOUND,
          "RSS grows " + rssSlope / 1048576 + " MiB/min after warm-up: " + rss);
      assertTrue(
          fdsAfter <= baselineFds + 2,
          "open descriptors " + fdsAfter + " after the clients left, baseline " + baselineFds);
      String log = herald.output();
      BlockedThreads.assertNoneBlockedTooLong(log);
      assertFalse(log.contains("OutOfMemoryError"), () -> "out of memory:\n" + log);
      assertTrue(herald.isAlive());
    }
  }
}
