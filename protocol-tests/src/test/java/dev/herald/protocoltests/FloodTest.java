package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Floods at the rate this machine allows (RELIABILITY.md, "Floods"): WebSocket handshakes from one
 * address with and without the per-address limit, and subscribe/unsubscribe churn on many sockets,
 * while a watcher keeps receiving every event.
 */
class FloodTest {

  /** The flood comes from this loopback address; the watcher from 127.0.0.1. */
  private static final String FLOODER = "127.0.0.2";

  private static final int THREADS = 8;

  /** Handshakes per thread, each an upgrade on a fresh TCP connection. */
  private static final int PER_THREAD = 150;

  @Test
  void overTheLimitHandshakesAreRefused429BeforeTheUpgradeAndOthersAreServed() throws Exception {
    int limit = 50;
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("HERALD_CONNECTIONS_PER_IP_PER_SECOND", Integer.toString(limit))
            .start()) {
      String channel = Unique.name("flood-watch-");
      try (RawClient watcher = RawClient.open(herald.wsUrl())) {
        watcher.subscribeOk(channel);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        flood(herald, statuses, false);
        long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        int total = THREADS * PER_THREAD;
        int upgraded = count(statuses, 101);
        int refused = count(statuses, 429);
        assertEquals(total, upgraded + refused, () -> "answers: " + statuses);
        // Fixed one-second windows: at most `limit` per window the flood touched.
        long windows = elapsedMillis / 1000 + 2;
        assertTrue(
            upgraded <= limit * windows,
            () -> upgraded + " upgrades in " + elapsedMillis + " ms with a limit of " + limit);
        assertTrue(refused > 0, "nothing refused");

        // Another address is not limited by the flooder's budget, during or after the flood.
        herald.api().trigger(channel, "after-flood", "1");
        watcher.assertNext(event(channel, "after-flood", "1"));
        try (RawClient newcomer = RawClient.open(herald.wsUrl())) {
          newcomer.assertPingPong();
        }
        System.out.printf(
            "FloodTest: limit %d/s: %d handshakes from one address in %d ms (%.0f/s):"
                + " %d upgraded, %d refused with 429 before the upgrade%n",
            limit, total, elapsedMillis, total * 1000.0 / elapsedMillis, upgraded, refused);
      }
    }
  }

  @Test
  void withoutALimitEveryHandshakeOfTheFloodIsAccepted() throws Exception {
    try (HeraldProcess herald = HeraldProcess.withDefaults().start()) {
      Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      long started = System.nanoTime();
      flood(herald, statuses, true);
      long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      int total = THREADS * PER_THREAD;
      assertEquals(Map.of(101, total), plain(statuses));
      System.out.printf(
          "FloodTest: no limit: %d handshakes from one address in %d ms (%.0f/s), all upgraded%n",
          total, elapsedMillis, total * 1000.0 / elapsedMillis);
    }
  }

  /**
   * Sockets subscribe to and unsubscribe from the watcher's own channel as fast as they can (each
   * subscribe answered before the next), while events go to that channel every 10 ms: the watcher
   * gets each one, in order.
   */
  @Test
  void subscribeChurnOnManySocketsDoesNotCostAWatcherAnEvent() throws Exception {
    try (HeraldProcess herald = HeraldProcess.withDefaults().start()) {
      String channel = Unique.name("churn-");
      int sockets = 16;
      Duration duration = Duration.ofSeconds(5);
      try (RawClient watcher = RawClient.open(herald.wsUrl())) {
        watcher.subscribeOk(channel);
        List<RawClient> churners = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
          churners.add(RawClient.open(herald.wsUrl()));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger cycles = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(sockets);
        List<Future<?>> running = new ArrayList<>();
        for (RawClient churner : churners) {
          running.add(
              pool.submit(
                  () -> {
                    while (!stop.get()) {
                      churner.subscribe(channel);
                      // Ticks sent while it was subscribed may come first.
                      churner.awaitUntilEvent("pusher_internal:subscription_succeeded");
                      churner.unsubscribe(channel);
                      cycles.incrementAndGet();
                    }
                    return null;
                  }));
        }
        int sent = 0;
        long started = System.nanoTime();
        while (System.nanoTime() - started < duration.toNanos()) {
          herald.api().trigger(channel, "tick", Integer.toString(sent++));
          ClusterTest.pause(Duration.ofMillis(10));
        }
        stop.set(true);
        for (Future<?> churn : running) {
          churn.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        for (int i = 0; i < sent; i++) {
          JsonNode frame = watcher.awaitJson();
          assertEquals(Integer.toString(i), frame.path("data").asText(), frame::toString);
        }
        watcher.assertPingPong();
        churners.forEach(RawClient::close);
        System.out.printf(
            "FloodTest: %d sockets did %d subscribe/unsubscribe pairs in %d ms (%.0f pairs/s)"
                + " on the watcher's channel; the watcher got all %d events%n",
            sockets, cycles.get(), elapsedMillis, cycles.get() * 1000.0 / elapsedMillis, sent);
        assertTrue(cycles.get() > sockets, "the churn did not run");
      }
    }
  }

  /**
   * {@link #THREADS} threads each open {@link #PER_THREAD} handshakes from {@link #FLOODER} as fast
   * as they can, counting the answers' statuses; with {@code expectOpen}, each upgraded socket must
   * also get {@code pusher:connection_established}.
   */
  private static void flood(
      HeraldProcess herald, Map<Integer, AtomicInteger> statuses, boolean expectOpen)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> threads = new ArrayList<>();
    String target = "/app/" + HeraldProcess.APP_KEY + "?protocol=7";
    for (int t = 0; t < THREADS; t++) {
      threads.add(
          pool.submit(
              () -> {
                for (int i = 0; i < PER_THREAD; i++) {
                  try (FrameSocket raw = FrameSocket.tcp(herald, 0, FLOODER)) {
                    int status = raw.upgrade(target, FrameSocket.standardHeaders()).status();
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    if (status == 101 && expectOpen) {
                      String first = raw.awaitText();
                      assertTrue(first.contains("pusher:connection_established"), first);
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> thread : threads) {
      thread.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  private static int count(Map<Integer, AtomicInteger> statuses, int status) {
    AtomicInteger count = statuses.get(status);
    return count == null ? 0 : count.get();
  }

  private static Map<Integer, Integer> plain(Map<Integer, AtomicInteger> statuses) {
    Map<Integer, Integer> out = new java.util.TreeMap<>();
    statuses.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
