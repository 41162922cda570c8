package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertSubscriptionError;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-app limits: subscriptions per connection, channels per event, batch size, event name length
 * and the backend event rate. A limit hit by one connection or request never affects another.
 */
class LimitsTest {

  @RegisterExtension
  static final HeraldProcess herald =
      HeraldProcess.withDefaults()
          .env("HERALD_APP_MAX_SUBSCRIPTIONS_PER_CONNECTION", "3")
          .env("HERALD_APP_MAX_CHANNELS_PER_EVENT", "2")
          .env("HERALD_APP_MAX_BATCH_SIZE", "2")
          .env("HERALD_APP_MAX_EVENT_NAME_LENGTH", "10");

  // ---- subscriptions per connection ------------------------------------------------------------

  @Test
  void fourthSubscriptionGetsLimitReached4100AndTheSocketKeepsWorking() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String c = Unique.name("c-");
    String d = Unique.name("d-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(a);
      client.subscribeOk(b);
      client.subscribeOk(c);
      client.subscribe(d);
      assertSubscriptionError(client.awaitJson(), d, "LimitReached", 4100);
      client.assertPingPong();

      herald.api().trigger(d, "refused", "x");
      herald.api().trigger(a, "kept", "1");
      client.assertNext(event(a, "kept", "1"));

      // Leaving one channel makes room for another.
      client.unsubscribe(b);
      client.subscribeOk(d);
      herald.api().trigger(d, "now", "2");
      client.assertNext(event(d, "now", "2"));
    }
  }

  @Test
  void privateAndPresenceSubscriptionsCountTowardsTheLimitToo() {
    try (RawClient client = herald.open()) {
      client.subscribeOk(Unique.name("a-"));
      client.subscribePrivateOk(Unique.name("private-"));
      String presence = Unique.name("presence-");
      client.subscribePresence(presence, "{\"user_id\":\"u1\"}");
      assertEquals(
          "pusher_internal:subscription_succeeded", client.awaitJson().path("event").asText());
      String fourth = Unique.name("private-");
      client.sendJson(
          Map.of(
              "event",
              "pusher:subscribe",
              "data",
              Map.of(
                  "channel", fourth, "auth", Signatures.privateAuth(client.socketId(), fourth))));
      assertSubscriptionError(client.awaitJson(), fourth, "LimitReached", 4100);
      client.assertPingPong();
    }
  }

  @Test
  void subscriptionLimitOfOneConnectionDoesNotAffectAnother() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String c = Unique.name("c-");
    String d = Unique.name("d-");
    try (RawClient full = herald.open();
        RawClient other = herald.open()) {
      full.subscribeOk(a);
      full.subscribeOk(b);
      full.subscribeOk(c);
      full.subscribe(d);
      assertSubscriptionError(full.awaitJson(), d, "LimitReached", 4100);

      other.subscribeOk(a);
      other.subscribeOk(b);
      other.subscribeOk(d);
      herald.api().trigger(d, "for-other", "1");
      other.assertNext(event(d, "for-other", "1"));
      herald.api().trigger(a, "for-both", "2");
      full.assertNext(event(a, "for-both", "2"));
      other.assertNext(event(a, "for-both", "2"));
    }
  }

  // ---- HTTP request limits ---------------------------------------------------------------------

  @Test
  void eventToMoreChannelsThanTheMaximumIs400AndNothingIsPublished() {
    String a = Unique.name("a-");
    String b = Unique.name("b-");
    String c = Unique.name("c-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(a);
      assertHttpError(400, trigger("too-many", List.of(a, b, c)));
      ApiClient.Response two = trigger("two", List.of(a, b));
      assertEquals(200, two.status(), two::body);
      client.assertNext(event(a, "two", "1"));
    }
  }

  @Test
  void batchOverTheMaximumSizeIs400AndNothingIsPublished() {
    String channel = Unique.name("batch-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      assertHttpError(400, batch(channel, "e1", "e2", "e3"));
      ApiClient.Response two = batch(channel, "ok1", "ok2");
      assertEquals(200, two.status(), two::body);
      client.assertNext(event(channel, "ok1", "1"));
      client.assertNext(event(channel, "ok2", "1"));
    }
  }

  @Test
  void eventNameOverTheMaximumLengthIs400AndNothingIsPublished() {
    String channel = Unique.name("names-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      assertHttpError(400, trigger("x".repeat(11), List.of(channel)));
      assertHttpError(400, batch(channel, "y".repeat(11)));
      ApiClient.Response ten = trigger("z".repeat(10), List.of(channel));
      assertEquals(200, ten.status(), ten::body);
      client.assertNext(event(channel, "z".repeat(10), "1"));
    }
  }

  @Test
  void clientEventNameOverTheMaximumLengthGetsErrorWithCodeNullAndIsNotRelayed() {
    String channel = Unique.name("private-");
    try (RawClient sender = herald.open();
        RawClient receiver = herald.open()) {
      sender.subscribePrivateOk(channel);
      receiver.subscribePrivateOk(channel);
      String tooLong = "client-abcd"; // 11 characters
      sender.sendText(
          "{\"event\":\"" + tooLong + "\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}");
      assertError(sender.awaitJson(), null);
      sender.assertPingPong();

      String fits = "client-abc"; // 10 characters
      String frame = "{\"event\":\"" + fits + "\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}";
      sender.sendText(frame);
      receiver.assertNext(frame);
    }
  }

  // ---- backend event rate ----------------------------------------------------------------------

  /**
   * The backend event rate is per app per node, whichever event loop a request lands on: requests
   * spread over eight HTTP connections (so over all four loops) share one allowance. Each loop used
   * to count on its own, which multiplied the limit by the loop count.
   */
  @Nested
  class BackendEventRateAcrossEventLoops {
    private static final int LIMIT = 10;

    @RegisterExtension
    static final HeraldProcess fourLoops =
        HeraldProcess.withDefaults()
            .env("HERALD_EVENT_LOOPS", "4")
            .env("HERALD_APP_MAX_BACKEND_EVENTS_PER_SECOND", Integer.toString(LIMIT));

    @Test
    void requestsOnConnectionsOfEveryEventLoopShareTheAppsAllowance() {
      List<ApiClient> connections = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        connections.add(
            new ApiClient(
                fourLoops.apiBase(),
                fourLoops.path(),
                HeraldProcess.APP_ID,
                HeraldProcess.APP_KEY,
                HeraldProcess.APP_SECRET,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()));
      }
      String channel = Unique.name("shared-rate-");
      String body = Json.write(Map.of("name", "e", "channel", channel, "data", "1"));
      // Eight connections sending at once keep the burst short even on a loaded machine.
      AtomicInteger acceptedCount = new AtomicInteger();
      List<Thread> senders = new ArrayList<>();
      List<AssertionError> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long first = System.nanoTime();
      for (ApiClient connection : connections) {
        Thread sender =
            new Thread(
                () -> {
                  for (int i = 0; i < 8; i++) {
                    ApiClient.Response response = connection.post("/events", body);
                    if (response.status() == 200) {
                      acceptedCount.incrementAndGet();
                    } else if (response.status() != 429) {
                      failures.add(new AssertionError(response.status() + " " + response.body()));
                    }
                  }
                });
        sender.start();
        senders.add(sender);
      }
      for (Thread sender : senders) {
        try {
          sender.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      assertEquals(List.of(), failures);
      int accepted = acceptedCount.get();
      long elapsedMillis = (System.nanoTime() - first) / 1_000_000;
      // Windows of one second start at a request, so the burst spans at most this many.
      long windows = 1 + elapsedMillis / 1000;
      long bound = LIMIT * windows;
      int acceptedInAll = accepted;
      assertTrue(acceptedInAll >= LIMIT, () -> "accepted only " + acceptedInAll);
      assertTrue(
          acceptedInAll <= bound,
          () ->
              acceptedInAll
                  + " of 64 events accepted in "
                  + elapsedMillis
                  + " ms over four event loops; the node-wide limit allows "
                  + bound);
    }
  }

  /** The backend event rate needs its own server, so other tests do not spend its budget. */
  @Nested
  class BackendEventRate {

    @RegisterExtension
    static final HeraldProcess limited =
        HeraldProcess.withDefaults().env("HERALD_APP_MAX_BACKEND_EVENTS_PER_SECOND", "5");

    @Test
    void burstOverTheRateGets429WithAJsonErrorAndRefusedEventsAreNotDelivered() {
      String channel = Unique.name("burst-");
      try (RawClient client = limited.open()) {
        client.subscribeOk(channel);
        List<String> accepted = new ArrayList<>();
        ApiClient.Response refused = null;
        for (int i = 0; i < 30 && refused == null; i++) {
          ApiClient.Response response = post(channel, "n" + i);
          if (response.status() == 200) {
            accepted.add("n" + i);
          } else {
            refused = response;
          }
        }
        if (refused == null) {
          fail("30 events in a burst were all accepted with a limit of 5 per second");
        }
        assertHttpError(429, refused);

        String marker = awaitAccepted(channel);
        for (String name : accepted) {
          client.assertNext(event(channel, name, "1"));
        }
        client.assertNext(event(channel, marker, "1"));
      }
    }

    @Test
    void eachChannelOfAnEventCountsTowardsTheRateAndA429dEventReachesNoChannel() {
      String[] channels = {Unique.name("r-"), Unique.name("r-"), Unique.name("r-")};
      String body = Json.write(Map.of("name", "e", "channels", List.of(channels), "data", "1"));
      try (RawClient client = limited.open()) {
        client.subscribeOk(channels[2]);
        int[] total = {0};
        int best =
            fewestAcceptedBeforeA429(channels[0], () -> limited.api().post("/events", body), total);
        assertTrue(
            best <= 2,
            () ->
                "with 1 event already counted, at most 2 three-channel events fit in 5 per"
                    + " second; accepted "
                    + best);
        String marker = awaitAccepted(channels[2]);
        for (int i = 0; i < total[0]; i++) {
          client.assertNext(event(channels[2], "e", "1"));
        }
        client.assertNext(event(channels[2], marker, "1"));
      }
    }

    @Test
    void eachItemOfABatchCountsTowardsTheRate() {
      String channel = Unique.name("r-");
      String body =
          Json.write(
              Map.of(
                  "batch",
                  List.of(
                      Map.of("channel", channel, "name", "b1", "data", "1"),
                      Map.of("channel", channel, "name", "b2", "data", "1"))));
      int best =
          fewestAcceptedBeforeA429(
              channel, () -> limited.api().post("/batch_events", body), new int[1]);
      assertTrue(
          best <= 2,
          () ->
              "with 1 event already counted, at most 2 two-item batches fit in 5 per second;"
                  + " accepted "
                  + best);
    }

    /**
     * Right after the window admits one single-channel event, sends {@code request} until it is
     * refused with 429; returns the fewest accepted over up to three attempts (a window boundary in
     * the middle of a burst can let more through) and adds every acceptance to {@code total[0]}.
     */
    private int fewestAcceptedBeforeA429(
        String markerChannel, Supplier<ApiClient.Response> request, int[] total) {
      int best = Integer.MAX_VALUE;
      for (int attempt = 0; attempt < 3 && best > 2; attempt++) {
        awaitAccepted(markerChannel);
        int accepted = 0;
        while (true) {
          ApiClient.Response response = request.get();
          if (response.status() == 429) {
            assertHttpError(429, response);
            break;
          }
          assertEquals(200, response.status(), response::body);
          accepted++;
          total[0]++;
          if (accepted > 10) {
            fail("more than 10 requests accepted in a burst with a limit of 5 per second");
          }
        }
        best = Math.min(best, accepted);
      }
      return best;
    }

    @Test
    void rateLimitedRequestsDoNotDisturbConnections() {
      String channel = Unique.name("calm-");
      try (RawClient client = limited.open()) {
        client.subscribeOk(channel);
        for (int i = 0; i < 10; i++) {
          post(Unique.name("elsewhere-"), "x");
        }
        client.assertPingPong();
        String marker = awaitAccepted(channel);
        client.assertNext(event(channel, marker, "1"));
      }
    }

    private ApiClient.Response post(String channel, String name) {
      return limited
          .api()
          .post("/events", Json.write(Map.of("name", name, "channel", channel, "data", "1")));
    }

    /**
     * Triggers an event named after a fresh marker until the window admits it (the limit is a
     * matter of time, so this polls with a short pause and a deadline); returns the marker.
     */
    private String awaitAccepted(String channel) {
      String marker = Unique.name("m");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        ApiClient.Response response = post(channel, marker);
        if (response.status() == 200) {
          return marker;
        }
        assertHttpError(429, response);
        if (System.nanoTime() > deadline) {
          fail("still rate limited after 10 s: " + response.body());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static ApiClient.Response trigger(String name, List<String> channels) {
    return herald
        .api()
        .post("/events", Json.write(Map.of("name", name, "channels", channels, "data", "1")));
  }

  private static ApiClient.Response batch(String channel, String... names) {
    List<Map<String, String>> items = new ArrayList<>();
    for (String name : names) {
      items.add(Map.of("channel", channel, "name", name, "data", "1"));
    }
    return herald.api().post("/batch_events", Json.write(Map.of("batch", items)));
  }

  /** Asserts the status and the JSON error body {@code {"error":"...","code":status}}. */
  static void assertHttpError(int status, ApiClient.Response response) {
    assertEquals(status, response.status(), response::body);
    JsonNode body = response.json();
    assertEquals(Set.of("error", "code"), Frames.fieldNames(body), response::body);
    assertTrue(body.get("error").isTextual(), response::body);
    assertEquals(status, body.get("code").asInt(), response::body);
  }
}
