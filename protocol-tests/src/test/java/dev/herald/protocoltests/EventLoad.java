package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Events triggered one after another through the HTTP API of several nodes in turn, on one thread,
 * while a test breaks the Redis under them: each is accepted (200) or refused (503); any other
 * answer is recorded as a failure. {@link #stop} then checks what the subscribers got. Thread-safe.
 */
final class EventLoad {
  private final String channel;
  private final List<HeraldProcess> nodes;
  private final Map<Integer, Long> accepted = new ConcurrentHashMap<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final java.util.Queue<Long> refusedAt =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicReference<String> unexpected = new AtomicReference<>();
  private final Thread thread;

  private EventLoad(String channel, List<HeraldProcess> nodes) {
    this.channel = channel;
    this.nodes = nodes;
    this.thread = new Thread(this::run, "event-load");
  }

  static EventLoad start(String channel, HeraldProcess... nodes) {
    EventLoad load = new EventLoad(channel, List.of(nodes));
    load.thread.start();
    return load;
  }

  private void run() {
    for (int i = 0; !stopping.get(); i++) {
      HeraldProcess via = nodes.get(i % nodes.size());
      ApiClient.Response response =
          via.api()
              .post("/events", Json.write(Map.of("name", "e", "channel", channel, "data", "" + i)));
      if (response.status() == 200) {
        accepted.put(i, System.nanoTime());
      } else if (response.status() == 503) {
        refused.incrementAndGet();
        refusedAt.add(System.nanoTime());
      } else {
        unexpected.compareAndSet(null, response.status() + " " + response.body());
        return;
      }
    }
  }

  /**
   * Waits until the nodes refuse an event after {@code nanoTime} (they noticed the failure; events
   * answered just after it were relayed before it) and then accept one again; returns when that one
   * was accepted.
   */
  long awaitAcceptedAfter(long nanoTime, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      long noticed = refusedAt.stream().filter(t -> t > nanoTime).findFirst().orElse(0L);
      long first =
          noticed == 0
              ? 0
              : accepted.values().stream().filter(t -> t > noticed).min(Long::compare).orElse(0L);
      if (first != 0) {
        return first;
      }
      if (unexpected.get() != null) {
        throw new AssertionError("an event was answered " + unexpected.get());
      }
      ClusterTest.pause(Duration.ofMillis(50));
    }
    throw new AssertionError(
        "no event was refused and then accepted again within " + within + " of the failure");
  }

  /** When the first event triggered after {@code nanoTime} was refused, or 0 if none was. */
  long firstRefusedAfter(long nanoTime) {
    return refusedAt.stream().filter(t -> t > nanoTime).findFirst().orElse(0L);
  }

  /**
   * Stops the load, triggers a last event through the first node and reads each client's frames up
   * to it.
   */
  Result stop(RawClient... subscribers) {
    stopping.set(true);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (unexpected.get() != null) {
      throw new AssertionError("an event was answered " + unexpected.get());
    }
    nodes.get(0).api().trigger(channel, "end", "end");
    Map<String, List<Integer>> received = new LinkedHashMap<>();
    for (int i = 0; i < subscribers.length; i++) {
      List<Integer> got = new ArrayList<>();
      for (JsonNode frame : subscribers[i].awaitUntilEvent("end")) {
        if (frame.path("event").asText().equals("e")) {
          got.add(Integer.parseInt(frame.path("data").asText()));
        }
      }
      received.put("subscriber " + i, got);
    }
    return new Result(new ArrayList<>(accepted.keySet()), refused.get(), received);
  }

  /** What was accepted, how many were refused, and what each subscriber received. */
  record Result(List<Integer> accepted, int refused, Map<String, List<Integer>> received) {

    void assertEveryAcceptedEventReachedBothNodes() {
      received.forEach(
          (who, got) -> {
            assertEquals(got.size(), new HashSet<>(got).size(), who + " got an event twice");
            List<Integer> missing = new ArrayList<>(accepted);
            missing.removeAll(got);
            assertEquals(List.of(), missing, who + " never got these accepted events");
          });
    }

    String summary() {
      return accepted.size()
          + " events accepted (all must reach every subscriber), "
          + refused
          + " refused with 503";
    }
  }
}
