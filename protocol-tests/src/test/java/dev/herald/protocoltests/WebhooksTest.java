package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.protocoltests.WebhookReceiver.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Webhooks (CONTRACT "Issue 4 additions", http-api.md §5): each test starts its own receiver and a
 * Herald whose env app posts to it ({@code HERALD_APP_WEBHOOKS}), with a short batch window and a
 * 200 ms leave delay unless the test says otherwise. Events are matched by channel, so the {@code
 * subscription_count} events every public subscribe causes do not get in the way.
 */
class WebhooksTest {

  static final String LEAVE_DELAY_MS = "200";
  static final String ONLY_OCCUPIED = ",\"event_types\":[\"channel_occupied\"]";

  private WebhookReceiver receiver;
  private HeraldProcess herald;

  @BeforeEach
  void startReceiver() {
    receiver = WebhookReceiver.start();
  }

  @AfterEach
  void stopEverything() {
    try {
      if (herald != null) {
        herald.close();
      }
      receiver.assertEveryRequestWasValid();
    } finally {
      receiver.close();
    }
  }

  /**
   * Starts Herald with one webhook target: the receiver's URL plus {@code targetExtras} (JSON
   * members starting with a comma), and extra env as name/value pairs.
   */
  private void start(String targetExtras, String... env) {
    herald = heraldFor(receiver, targetExtras, env).start();
  }

  static HeraldProcess heraldFor(WebhookReceiver receiver, String targetExtras, String... env) {
    HeraldProcess process =
        HeraldProcess.withDefaults()
            .env(
                "HERALD_APP_WEBHOOKS", "[{\"url\":\"" + receiver.url() + "\"" + targetExtras + "}]")
            .env("HERALD_WEBHOOK_BATCH_MS", "20")
            .env("HERALD_WEBHOOK_LEAVE_DELAY_MS", LEAVE_DELAY_MS);
    for (int i = 0; i < env.length; i += 2) {
      process.env(env[i], env[i + 1]);
    }
    return process;
  }

  private RawClient open() {
    return RawClient.open(herald.wsUrl());
  }

  /**
   * A webhook event written as JSON: {@code name}, {@code channel}, then extra name/value pairs.
   */
  static String hook(String name, String channel, Object... extra) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("name", name);
    event.put("channel", channel);
    for (int i = 0; i < extra.length; i += 2) {
      event.put((String) extra[i], extra[i + 1]);
    }
    return Json.write(event);
  }

  static Predicate<JsonNode> on(String channel) {
    return e -> channel.equals(e.path("channel").asText());
  }

  static Predicate<JsonNode> named(String... names) {
    Set<String> wanted = Set.of(names);
    return e -> wanted.contains(e.path("name").asText());
  }

  /** Asserts the events are exactly these JSON values, in this order. */
  static void assertEvents(List<String> expected, List<JsonNode> actual) {
    List<JsonNode> parsed = expected.stream().map(Json::parse).toList();
    assertEquals(
        parsed, actual, () -> "expected webhook events " + expected + " but got " + actual);
  }

  private static String presenceData(String userId) {
    return Json.write(Map.of("user_id", userId));
  }

  /** Subscribes to a presence channel and reads the subscription_succeeded reply. */
  private static void joinPresence(RawClient client, String channel, String userId) {
    client.subscribePresence(channel, presenceData(userId));
    JsonNode reply = client.awaitJson();
    assertEquals(
        "pusher_internal:subscription_succeeded", reply.path("event").asText(), reply::toString);
  }

  private static long millisBetween(Request earlier, Request later) {
    return Duration.ofNanos(later.receivedNanos() - earlier.receivedNanos()).toMillis();
  }

  // ---- channel_occupied / channel_vacated, request shape, targets -------------------------------

  @Test
  void firstSubscriberOccupiesAndLastLeaverVacatesInSignedRequestsWithTheTargetsHeaders() {
    start(",\"headers\":{\"X-Token\":\"t-42\"}");
    String channel = Unique.name("hooked-");
    long before = System.currentTimeMillis();
    try (RawClient first = open();
        RawClient second = open()) {
      first.subscribeOk(channel);
      second.subscribeOk(channel);
      first.unsubscribe(channel);
      first.assertPingPong();
      second.unsubscribe(channel);

      receiver.awaitDelivered(on(channel).and(named("channel_vacated")), 1);
      List<JsonNode> events =
          receiver.delivered(on(channel).and(named("channel_occupied", "channel_vacated")));
      assertEvents(
          List.of(hook("channel_occupied", channel), hook("channel_vacated", channel)), events);

      Request request = receiver.requestDelivering(events.get(0));
      assertEquals("POST", request.method());
      assertEquals("/hook", request.path());
      assertEquals("application/json", request.header("Content-Type"));
      assertEquals(HeraldProcess.APP_KEY, request.header("X-Pusher-Key"));
      assertEquals(
          Signatures.hmacSha256Hex(HeraldProcess.APP_SECRET, request.body()),
          request.header("X-Pusher-Signature"));
      assertEquals("t-42", request.header("X-Token"), request::toString);
      JsonNode body = request.json();
      assertEquals(Set.of("time_ms", "events"), Frames.fieldNames(body), body::toString);
      assertTrue(body.get("time_ms").isIntegralNumber(), body::toString);
      long timeMs = body.get("time_ms").asLong();
      assertTrue(
          timeMs >= before - 1000 && timeMs <= System.currentTimeMillis() + 1000,
          () -> "time_ms " + timeMs + " is not the time of sending");
      assertEquals(
          "t-42", receiver.requestDelivering(events.get(1)).header("X-Token"), "vacated request");
    }
  }

  @Test
  void everyTargetGetsTheEventsItWantsAndOneThatIsDownHoldsNoOtherBack() {
    try (WebhookReceiver down = WebhookReceiver.start()) {
      down.stop();
      herald =
          HeraldProcess.withDefaults()
              .env(
                  "HERALD_APP_WEBHOOKS",
                  "[{\"url\":\""
                      + down.url()
                      + "\"},{\"url\":\""
                      + receiver.url()
                      + "\",\"event_types\":[\"channel_occupied\"]}]")
              .env("HERALD_WEBHOOK_BATCH_MS", "20")
              .start();
      String channel = Unique.name("two-targets-");
      try (RawClient client = open()) {
        client.subscribeOk(channel);
        assertEvents(List.of(hook("channel_occupied", channel)), receiver.awaitRequest().events());
        String next = Unique.name("two-targets-");
        client.subscribeOk(next);
        assertEvents(List.of(hook("channel_occupied", next)), receiver.awaitRequest().events());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "[{\"url\":\"not a url\"}]",
        "[{\"event_types\":[\"channel_occupied\"]}]",
        "[{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"no_such_event\"]}]"
      })
  void badWebhookTargetStopsTheStartNamingTheEntry(String webhooks) {
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults().env("HERALD_APP_WEBHOOKS", webhooks).runExpectingExit();
    assertNotEquals(0, exit.code(), exit::output);
    assertTrue(exit.output().contains("HERALD_APP_WEBHOOKS[0]"), exit::output);
  }

  // ---- member_added / member_removed ------------------------------------------------------------

  @Test
  void membersAreAddedOnAUsersFirstSocketAndRemovedAfterItsLastWithTheirUserId() {
    start("");
    String channel = Unique.name("presence-hooked-");
    try (RawClient alice1 = open();
        RawClient alice2 = open();
        RawClient bob = open()) {
      joinPresence(alice1, channel, "alice");
      joinPresence(alice2, channel, "alice");
      joinPresence(bob, channel, "bob");
      receiver.awaitDelivered(on(channel).and(named("member_added")), 2);

      // A removal wrongly sent for Alice's first socket would come before the one for her last.
      alice1.disconnect();
      alice2.disconnect();
      receiver.awaitDelivered(on(channel).and(named("member_removed")), 1);
      bob.disconnect();

      List<JsonNode> members =
          receiver.awaitDelivered(on(channel).and(named("member_added", "member_removed")), 4);
      assertEvents(
          List.of(
              hook("member_added", channel, "user_id", "alice"),
              hook("member_added", channel, "user_id", "bob"),
              hook("member_removed", channel, "user_id", "alice"),
              hook("member_removed", channel, "user_id", "bob")),
          members);
      receiver.awaitDelivered(on(channel).and(named("channel_vacated")), 1);
      assertEvents(
          List.of(hook("channel_occupied", channel), hook("channel_vacated", channel)),
          receiver.delivered(on(channel).and(named("channel_occupied", "channel_vacated"))));
      assertEvents(List.of(), receiver.delivered(on(channel).and(named("subscription_count"))));
    }
  }

  // ---- client_event -----------------------------------------------------------------------------

  @Test
  void clientEventOnAPrivateChannelCarriesEventDataAsTextAndTheSendersSocketId() {
    start("");
    String channel = Unique.name("private-hooked-");
    try (RawClient sender = open();
        RawClient peer = open()) {
      sender.subscribePrivateOk(channel);
      peer.subscribePrivateOk(channel);
      sender.sendText(
          "{\"event\":\"client-typing\",\"channel\":\""
              + channel
              + "\",\"data\":{\"on\":true,\"list\":[1,\"two\",null]}}");
      peer.awaitJson();
      sender.sendText(
          "{\"event\":\"client-note\",\"channel\":\""
              + channel
              + "\",\"data\":\"plain \\\"text\\\"\"}");
      peer.awaitJson();

      List<JsonNode> events = receiver.awaitDelivered(on(channel).and(named("client_event")), 2);
      JsonNode object = events.get(0);
      assertEquals(
          Set.of("name", "channel", "event", "data", "socket_id"),
          Frames.fieldNames(object),
          object::toString);
      assertEquals("client-typing", object.get("event").asText(), object::toString);
      assertEquals(sender.socketId(), object.get("socket_id").asText(), object::toString);
      assertTrue(object.get("data").isTextual(), () -> "data must be JSON text: " + object);
      Json.assertJson(
          "{\"on\":true,\"list\":[1,\"two\",null]}", Json.parse(object.get("data").asText()));
      assertEvents(
          List.of(
              hook(
                  "client_event",
                  channel,
                  "event",
                  "client-note",
                  "data",
                  "plain \"text\"",
                  "socket_id",
                  sender.socketId())),
          events.subList(1, 2));
    }
  }

  @Test
  void clientEventOnAPresenceChannelAlsoCarriesTheSendersUserId() {
    start("");
    String channel = Unique.name("presence-hooked-");
    try (RawClient sender = open();
        RawClient peer = open()) {
      joinPresence(sender, channel, "alice");
      joinPresence(peer, channel, "bob");
      sender.awaitJson(); // member_added bob
      sender.sendText(
          "{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":\"hi\"}");
      peer.awaitJson();

      assertEvents(
          List.of(
              hook(
                  "client_event",
                  channel,
                  "event",
                  "client-wave",
                  "data",
                  "hi",
                  "socket_id",
                  sender.socketId(),
                  "user_id",
                  "alice")),
          receiver.awaitDelivered(on(channel).and(named("client_event")), 1));
    }
  }

  // ---- cache_miss, subscription_count -----------------------------------------------------------

  @Test
  void subscribingToAnEmptyCacheChannelReportsACacheMissButACachedOneDoesNot() {
    start("");
    String empty = Unique.name("cache-hooked-");
    String cached = Unique.name("cache-hooked-");
    String last = Unique.name("cache-hooked-");
    herald.api().trigger(cached, "price", "1");
    try (RawClient client = open()) {
      client.subscribeOk(empty);
      client.assertNext("{\"event\":\"pusher:cache_miss\",\"channel\":\"" + empty + "\"}");
      client.subscribeOk(cached);
      client.assertNext(event(cached, "price", "1"));
      client.subscribeOk(last);
      client.awaitJson();

      receiver.awaitDelivered(on(last).and(named("cache_miss")), 1);
      assertEvents(
          List.of(hook("cache_miss", empty), hook("cache_miss", last)),
          receiver.delivered(named("cache_miss")));
    }
  }

  @Test
  void publicChannelReportsItsSubscriptionCountOnEverySubscribeAndUnsubscribe() {
    start("");
    String channel = Unique.name("counted-");
    try (RawClient first = open();
        RawClient second = open()) {
      first.subscribeOk(channel);
      second.subscribeOk(channel);
      second.unsubscribe(channel);
      assertEvents(
          List.of(
              hook("subscription_count", channel, "subscription_count", 1),
              hook("subscription_count", channel, "subscription_count", 2),
              hook("subscription_count", channel, "subscription_count", 1)),
          receiver.awaitDelivered(on(channel).and(named("subscription_count")), 3));
    }
  }

  // ---- filters ----------------------------------------------------------------------------------

  @Test
  void eventTypesAndChannelPrefixFilterKeepEverythingElseAway() {
    start(
        ",\"event_types\":[\"member_added\"],"
            + "\"filter\":{\"channel_name_starts_with\":\"presence-wanted-\"}");
    String publicChannel = Unique.name("wanted-");
    String otherPresence = Unique.name("presence-other-");
    String wanted = Unique.name("presence-wanted-");
    try (RawClient alice = open();
        RawClient bob = open()) {
      alice.subscribeOk(publicChannel); // occupied, subscription_count: wrong types
      joinPresence(alice, otherPresence, "alice"); // member_added: wrong prefix
      joinPresence(alice, wanted, "alice"); // wanted
      alice.sendText(
          "{\"event\":\"client-x\",\"channel\":\"" + wanted + "\",\"data\":\"1\"}"); // wrong type
      joinPresence(bob, wanted, "bob"); // wanted
      alice.awaitJson(); // member_added bob

      List<JsonNode> added = receiver.awaitDelivered(named("member_added"), 2);
      assertEvents(
          List.of(
              hook("member_added", wanted, "user_id", "alice"),
              hook("member_added", wanted, "user_id", "bob")),
          added);
      assertEvents(
          List.of(
              hook("member_added", wanted, "user_id", "alice"),
              hook("member_added", wanted, "user_id", "bob")),
          receiver.delivered());
    }
  }

  @Test
  void channelSuffixFilterKeepsOtherChannelsAway() {
    start(",\"filter\":{\"channel_name_ends_with\":\"-x\"}");
    String other = Unique.name("hooked-") + "-y";
    String wanted = Unique.name("hooked-") + "-x";
    try (RawClient client = open()) {
      client.subscribeOk(other);
      client.subscribeOk(wanted);
      receiver.awaitDelivered(on(wanted).and(named("subscription_count")), 1);
      List<JsonNode> all = receiver.delivered();
      assertTrue(
          all.stream().allMatch(on(wanted)), () -> "events for other channels arrived: " + all);
      assertEvents(
          List.of(
              hook("channel_occupied", wanted),
              hook("subscription_count", wanted, "subscription_count", 1)),
          all);
    }
  }

  // ---- batching ---------------------------------------------------------------------------------

  @Test
  void eventsWithinTheBatchWindowArriveInOneRequest() {
    start(ONLY_OCCUPIED, "HERALD_WEBHOOK_BATCH_MS", "300");
    List<String> channels = List.of(Unique.name("a-"), Unique.name("b-"), Unique.name("c-"));
    try (RawClient client = open()) {
      channels.forEach(client::subscribe);
      channels.forEach(c -> client.awaitJson());

      Request request = receiver.awaitRequest();
      assertEvents(
          channels.stream().map(c -> hook("channel_occupied", c)).toList(), request.events());
    }
  }

  @Test
  void batchMaxCapsTheNumberOfEventsInOneRequest() {
    start(ONLY_OCCUPIED, "HERALD_WEBHOOK_BATCH_MS", "300", "HERALD_WEBHOOK_BATCH_MAX", "2");
    List<String> channels = IntStream.range(0, 5).mapToObj(i -> Unique.name("capped-")).toList();
    try (RawClient client = open()) {
      channels.forEach(client::subscribe);
      channels.forEach(c -> client.awaitJson());

      List<JsonNode> events = receiver.awaitDelivered(named("channel_occupied"), 5);
      assertEvents(channels.stream().map(c -> hook("channel_occupied", c)).toList(), events);
      List<Integer> sizes = receiver.requests().stream().map(r -> r.events().size()).toList();
      assertEquals(List.of(2, 2, 1), sizes, () -> "requests: " + receiver.requests());
    }
  }

  // ---- leave delay (debounce) -------------------------------------------------------------------

  @Test
  void channelLeftAndRejoinedWithinTheLeaveDelayIsNeitherVacatedNorOccupiedAgain() {
    start(",\"event_types\":[\"channel_occupied\",\"channel_vacated\"]");
    String channel = Unique.name("flicker-");
    String marker = Unique.name("marker-");
    try (RawClient client = open();
        RawClient other = open()) {
      client.subscribeOk(channel);
      client.unsubscribe(channel);
      client.subscribeOk(channel);
      // The marker is vacated after the flickering channel would have been: once its
      // channel_vacated arrives, a vacated for the first one would have arrived too.
      other.subscribeOk(marker);
      other.unsubscribe(marker);
      receiver.awaitDelivered(on(marker).and(named("channel_vacated")), 1);
      assertEvents(List.of(hook("channel_occupied", channel)), receiver.delivered(on(channel)));

      client.unsubscribe(channel);
      assertEvents(
          List.of(hook("channel_occupied", channel), hook("channel_vacated", channel)),
          receiver.awaitDelivered(on(channel), 2));
    }
  }

  @Test
  void userLeavingAndRejoiningWithinTheLeaveDelayIsNeitherRemovedNorAddedAgain() {
    start(",\"event_types\":[\"member_added\",\"member_removed\"]");
    String channel = Unique.name("presence-flicker-");
    String marker = Unique.name("presence-marker-");
    try (RawClient alice = open();
        RawClient carol = open()) {
      joinPresence(alice, channel, "alice");
      alice.unsubscribe(channel);
      joinPresence(alice, channel, "alice");
      joinPresence(carol, marker, "carol");
      carol.unsubscribe(marker);
      receiver.awaitDelivered(on(marker).and(named("member_removed")), 1);
      assertEvents(
          List.of(hook("member_added", channel, "user_id", "alice")),
          receiver.delivered(on(channel)));
    }
  }

  // ---- retries ----------------------------------------------------------------------------------

  @Test
  void batchAnswered500IsRetriedByteForByteUntilAcceptedAndLaterEventsWaitBehindIt() {
    start(ONLY_OCCUPIED);
    receiver.respondWith(500, 500, 200);
    String first = Unique.name("retried-");
    String later = Unique.name("later-");
    try (RawClient client = open()) {
      client.subscribeOk(first);
      Request attempt1 = receiver.awaitRequest();
      assertEvents(List.of(hook("channel_occupied", first)), attempt1.events());
      client.subscribeOk(later); // generated while the first batch is being retried

      Request attempt2 = receiver.awaitRequest();
      Request attempt3 = receiver.awaitRequest();
      WebhookReceiver.assertSameDelivery(attempt1, attempt2);
      WebhookReceiver.assertSameDelivery(attempt1, attempt3);
      assertEquals(
          List.of(500, 500, 200), List.of(attempt1.status(), attempt2.status(), attempt3.status()));
      long firstGap = millisBetween(attempt1, attempt2);
      assertTrue(firstGap >= 450, () -> "first retry after only " + firstGap + " ms");

      Request next = receiver.awaitRequest();
      assertEvents(List.of(hook("channel_occupied", later)), next.events());
      assertEvents(
          List.of(hook("channel_occupied", first), hook("channel_occupied", later)),
          receiver.delivered());
    }
  }

  @ParameterizedTest(name = "status {0}")
  @ValueSource(ints = {500, 502, 503, 408, 429})
  void retriableStatusIsRetried(int status) {
    start(ONLY_OCCUPIED);
    receiver.respondWith(status);
    String channel = Unique.name("retried-");
    try (RawClient client = open()) {
      client.subscribeOk(channel);
      Request failed = receiver.awaitRequest();
      Request again = receiver.awaitRequest();
      assertEquals(status, failed.status());
      WebhookReceiver.assertSameDelivery(failed, again);
      assertEquals(200, again.status());
    }
  }

  @ParameterizedTest(name = "status {0}")
  @ValueSource(ints = {400, 401, 403, 404, 410})
  void batchAnsweredWithAnotherClientErrorIsNotSentAgain(int status) {
    start(ONLY_OCCUPIED);
    receiver.respondWith(status);
    String rejected = Unique.name("rejected-");
    String later = Unique.name("later-");
    try (RawClient client = open()) {
      client.subscribeOk(rejected);
      Request refused = receiver.awaitRequest();
      assertEquals(status, refused.status());
      assertEvents(List.of(hook("channel_occupied", rejected)), refused.events());

      client.subscribeOk(later);
      Request next = receiver.awaitRequest();
      assertEvents(List.of(hook("channel_occupied", later)), next.events());
      assertEquals(2, receiver.requests().size(), () -> "requests: " + receiver.requests());
    }
  }

  @Test
  void eventsOfAChannelArriveInGenerationOrderAcrossBatchesAndARetry() {
    start(
        ",\"event_types\":[\"client_event\"]",
        "HERALD_WEBHOOK_BATCH_MAX",
        "4",
        "HERALD_APP_CLIENT_EVENT_RATE_LIMIT",
        "1000");
    receiver.respondWith(200, 500);
    String channel = Unique.name("private-ordered-");
    try (RawClient sender = open();
        RawClient peer = open()) {
      sender.subscribePrivateOk(channel);
      peer.subscribePrivateOk(channel);
      int next = 0;
      next = sendClientEvents(sender, channel, next, 10);
      receiver.awaitRequest(); // the first batch, accepted
      next = sendClientEvents(sender, channel, next, 10);
      Request failed = receiver.awaitRequest();
      while (failed.status() != 500) {
        failed = receiver.awaitRequest();
      }
      next = sendClientEvents(sender, channel, next, 10); // while a batch is being retried

      List<JsonNode> events = receiver.awaitDelivered(on(channel), next);
      List<String> data = new ArrayList<>();
      events.forEach(e -> data.add(e.path("data").asText()));
      assertEquals(
          IntStream.range(0, next).mapToObj(Integer::toString).toList(),
          data,
          () -> "requests: " + receiver.requests());
      assertTrue(
          receiver.requests().stream().allMatch(r -> r.events().size() <= 4),
          () -> "requests: " + receiver.requests());
    }
  }

  private static int sendClientEvents(RawClient sender, String channel, int from, int count) {
    for (int i = from; i < from + count; i++) {
      sender.sendText(
          "{\"event\":\"client-seq\",\"channel\":\"" + channel + "\",\"data\":\"" + i + "\"}");
    }
    return from + count;
  }

  @Test
  void eventsCausedWhileTheReceiverIsDownAreAllDeliveredOnceItIsBack() throws InterruptedException {
    start(ONLY_OCCUPIED);
    receiver.stop();
    List<String> channels = List.of(Unique.name("a-"), Unique.name("b-"), Unique.name("c-"));
    try (RawClient client = open()) {
      channels.forEach(client::subscribeOk);
      // An outage is a length of time: nothing the test could wait on instead.
      Thread.sleep(3000);
      receiver.restart();

      receiver.awaitDelivered(named("channel_occupied"), 3);
      String after = Unique.name("after-");
      client.subscribeOk(after);
      receiver.awaitDelivered(on(after), 1);
      List<String> expected = new ArrayList<>();
      channels.forEach(c -> expected.add(hook("channel_occupied", c)));
      expected.add(hook("channel_occupied", after));
      assertEvents(expected, receiver.delivered());
    }
  }

  @Test
  void hangingReceiverDoesNotDelayWebSocketTrafficAndItsRequestTimesOutAndIsRetried() {
    // Longer than the WebSocket traffic below takes even on a loaded machine: the traffic must be
    // done while the hung request still waits for its timeout.
    start(ONLY_OCCUPIED, "HERALD_WEBHOOK_TIMEOUT_MS", "5000");
    receiver.respondWith(WebhookReceiver.HANG);
    String channel = Unique.name("busy-");
    String other = Unique.name("other-");
    try (RawClient watcher = open();
        RawClient newcomer = open()) {
      watcher.subscribeOk(channel);
      Request hung = receiver.awaitRequest();
      assertEquals(WebhookReceiver.HANG, hung.status());

      herald.api().trigger(channel, "news", "{\"n\":1}");
      watcher.assertNext(event(channel, "news", "{\"n\":1}"));
      newcomer.subscribeOk(other); // causes a webhook event while the target is stuck
      watcher.assertPingPong();
      // Still one request: the hung one has not timed out (no retry yet), so the traffic above did
      // not wait for it, and the newcomer's event waits behind it.
      assertEquals(1, receiver.requests().size(), () -> "requests: " + receiver.requests());

      Request retried = receiver.awaitRequest();
      WebhookReceiver.assertSameDelivery(hung, retried);
      assertEquals(200, retried.status());
      long gap = millisBetween(hung, retried);
      assertTrue(gap >= 4900, () -> "retried after " + gap + " ms, before the 5000 ms timeout");
      Request next = receiver.awaitRequest();
      assertEvents(List.of(hook("channel_occupied", other)), next.events());
      assertNotEquals(hung.bodyText(), next.bodyText());
    }
  }

  /**
   * A target that accepts TCP connections and never reads or answers a byte: each request times out
   * (and is retried) without holding up another target, a WebSocket client, or a thread.
   */
  @Test
  void targetThatAcceptsAndNeverAnswersHoldsUpNoOtherTargetAndNoThread() throws Exception {
    try (java.net.ServerSocket blackHole = new java.net.ServerSocket(0)) {
      List<java.net.Socket> held =
          java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      Thread acceptor =
          new Thread(
              () -> {
                while (!blackHole.isClosed()) {
                  try {
                    held.add(blackHole.accept());
                  } catch (java.io.IOException closed) {
                    return;
                  }
                }
              },
              "black-hole");
      acceptor.setDaemon(true);
      acceptor.start();
      herald =
          HeraldProcess.withDefaults()
              .env(
                  "HERALD_APP_WEBHOOKS",
                  "[{\"url\":\"http://127.0.0.1:"
                      + blackHole.getLocalPort()
                      + "/hook\"},{\"url\":\""
                      + receiver.url()
                      + "\""
                      + ONLY_OCCUPIED
                      + "}]")
              .env("HERALD_WEBHOOK_BATCH_MS", "20")
              .env("HERALD_WEBHOOK_TIMEOUT_MS", "500")
              .start();
      int threadsBefore = liveThreads();
      try (RawClient client = open()) {
        for (int i = 0; i < 8; i++) {
          String channel = Unique.name("black-hole-");
          long start = System.nanoTime();
          client.subscribeOk(channel);
          assertEvents(
              List.of(hook("channel_occupied", channel)), receiver.awaitRequest().events());
          long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
          assertTrue(tookMs < 2000, () -> "the healthy target waited " + tookMs + " ms");
        }
        // The hanging target was tried again after each timeout, on fresh connections.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (held.size() < 3 && System.nanoTime() < deadline) {
          ClusterTest.pause(Duration.ofMillis(100));
        }
        assertTrue(held.size() >= 3, () -> "connections to the hanging target: " + held.size());
        client.assertPingPong();
      }
      int threadsAfter = liveThreads();
      assertTrue(
          threadsAfter <= threadsBefore + 2,
          () -> "threads " + threadsBefore + " before, " + threadsAfter + " after");
      BlockedThreads.assertNoneBlockedTooLong(herald.output());
      System.out.println(
          "WebhooksTest: a target that never answers got "
              + held.size()
              + " connections (500 ms timeout, retried); the other target got all 8 events;"
              + " threads "
              + threadsBefore
              + " -> "
              + threadsAfter);
      held.forEach(
          socket -> {
            try {
              socket.close();
            } catch (java.io.IOException ignored) {
              // closing a test socket
            }
          });
    }
  }

  private int liveThreads() {
    ApiClient.Response metrics = ApiClient.getUrl(herald.httpBase() + "/metrics");
    return (int) PrometheusText.parse(metrics.body()).value("jvm_threads_live_threads");
  }
}
