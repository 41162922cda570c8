package dev.herald.protocoltests;

import static dev.herald.protocoltests.ClusterTest.SETTLE;
import static dev.herald.protocoltests.ClusterTest.awaitAnswer;
import static dev.herald.protocoltests.ClusterTest.presenceData;
import static dev.herald.protocoltests.Frames.assertMemberAdded;
import static dev.herald.protocoltests.Frames.assertMemberRemoved;
import static dev.herald.protocoltests.Frames.assertPresenceSucceeded;
import static dev.herald.protocoltests.Frames.event;
import static dev.herald.protocoltests.WebhooksTest.assertEvents;
import static dev.herald.protocoltests.WebhooksTest.hook;
import static dev.herald.protocoltests.WebhooksTest.named;
import static dev.herald.protocoltests.WebhooksTest.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node killed with SIGKILL (no goodbye to Redis or to anyone) is noticed by the survivors: its
 * presence members are removed, its subscriptions leave the counts, and the member_removed and
 * channel_vacated webhooks fire once for the cluster. Nodes beat every second and are declared dead
 * after three silent seconds (CONTRACT: removed within about timeout + heartbeat, here ~4 s; the
 * tests allow {@link #BOUND}).
 */
class NodeFailureTest {

  /** The longest a survivor may take to notice the death; generous against a loaded machine. */
  static final Duration BOUND = Duration.ofSeconds(15);

  private static RedisServer redis;
  private static WebhookReceiver receiver;
  private static HeraldProcess a;

  @BeforeAll
  static void startSurvivor() {
    RedisServer.require();
    redis = RedisServer.start();
    receiver = WebhookReceiver.start();
    a = node().start();
  }

  @AfterAll
  static void stopEverything() {
    try {
      ClusterTest.closeAll(a);
      if (receiver != null) {
        receiver.assertEveryRequestWasValid();
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static HeraldProcess node() {
    return ClusterTest.node(
        redis,
        "HERALD_NODE_HEARTBEAT_SECONDS",
        "1",
        "HERALD_NODE_TIMEOUT_SECONDS",
        "3",
        "HERALD_APP_WEBHOOKS",
        "[{\"url\":\"" + receiver.url() + "\"}]",
        "HERALD_WEBHOOK_BATCH_MS",
        "20",
        "HERALD_WEBHOOK_LEAVE_DELAY_MS",
        "0");
  }

  /**
   * GET /connections counts the nodes that still heartbeat: a killed node's connections leave the
   * count once it misses the node timeout.
   */
  @Test
  void killedNodesConnectionsLeaveTheConnectionCount() throws Exception {
    HeraldProcess b = node().start();
    Pusher onA = HttpApiTest.sdk(a, "127.0.0.1:" + a.port());
    List<RawClient> clients = new ArrayList<>();
    try {
      clients.add(RawClient.open(a.wsUrl()));
      clients.add(RawClient.open(b.wsUrl()));
      clients.add(RawClient.open(b.wsUrl()));
      HttpApiTest.awaitConnections(onA, 3);
      b.kill();
      HttpApiTest.awaitConnections(onA, 1, BOUND);
    } finally {
      clients.forEach(RawClient::close);
      b.close();
      onA.close();
    }
  }

  @Test
  void killedNodesMemberIsRemovedForWatchersOnTheSurvivorAndItsSubscriptionsLeaveTheCounts() {
    String presence = Unique.name("presence-death-");
    String onlyOnB = Unique.name("death-only-b-");
    String shared = Unique.name("private-death-shared-");
    String watcherId = Unique.name("w-");
    String user = Unique.name("u-");
    HeraldProcess b = node().start();
    try (RawClient watcher = RawClient.open(a.wsUrl());
        RawClient sharedOnA = RawClient.open(a.wsUrl());
        RawClient memberOnB = RawClient.open(b.wsUrl());
        RawClient loneOnB = RawClient.open(b.wsUrl())) {
      join(watcher, presence, watcherId);
      memberOnB.subscribePresence(presence, presenceData(user));
      assertPresenceSucceeded(
          memberOnB.awaitJson(), presence, "{\"" + watcherId + "\":null,\"" + user + "\":null}");
      assertMemberAdded(watcher.awaitJson(), presence, user, "null");
      loneOnB.subscribeOk(onlyOnB);
      sharedOnA.subscribePrivateOk(shared);
      memberOnB.subscribePrivateOk(shared);
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":2}",
          "/channels/" + shared,
          "info",
          "subscription_count");
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":1}",
          "/channels/" + onlyOnB,
          "info",
          "subscription_count");
      // B's own webhooks are out before it dies, so what follows the kill is the survivor's work.
      receiver.awaitDelivered(on(presence).and(named("member_added")), 2);
      receiver.awaitDelivered(on(onlyOnB).and(named("channel_occupied")), 1);

      long killed = System.nanoTime();
      b.kill();
      JsonNode removed = Json.parse(watcher.awaitText(BOUND));
      long detectedMillis = Duration.ofNanos(System.nanoTime() - killed).toMillis();
      System.out.println(
          "NodeFailureTest: member_removed reached the watcher "
              + detectedMillis
              + " ms after SIGKILL");
      assertMemberRemoved(removed, presence, user);

      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"user_count\":1}",
          "/channels/" + presence,
          "info",
          "user_count");
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":1}",
          "/channels/" + shared,
          "info",
          "subscription_count");
      awaitAnswer(a, SETTLE, "{\"occupied\":false}", "/channels/" + onlyOnB);
      awaitAnswer(a, SETTLE, "{\"channels\":{}}", "/channels", "filter_by_prefix", onlyOnB);

      List<JsonNode> memberRemoved =
          receiver.awaitDelivered(on(presence).and(named("member_removed")), 1, BOUND);
      receiver.awaitDelivered(on(onlyOnB).and(named("channel_vacated")), 1, BOUND);
      System.out.println(
          "NodeFailureTest: member_removed and channel_vacated webhooks delivered "
              + Duration.ofNanos(System.nanoTime() - killed).toMillis()
              + " ms after SIGKILL");
      assertEvents(List.of(hook("member_removed", presence, "user_id", user)), memberRemoved);

      // A later webhook of the survivor proves nothing else was queued before it (one request in
      // flight per target, in order).
      String marker = Unique.name("death-marker-");
      sharedOnA.subscribeOk(marker);
      receiver.awaitDelivered(on(marker), 1);

      assertSameEvents(
          List.of(
              hook("channel_occupied", presence),
              hook("member_added", presence, "user_id", watcherId),
              hook("member_added", presence, "user_id", user),
              hook("member_removed", presence, "user_id", user)),
          receiver.delivered(on(presence)));
      assertEvents(
          List.of(hook("channel_occupied", onlyOnB), hook("channel_vacated", onlyOnB)),
          receiver.delivered(on(onlyOnB).and(named("channel_occupied", "channel_vacated"))));
      assertEvents(
          List.of(hook("channel_occupied", shared)),
          receiver.delivered(on(shared).and(named("channel_occupied", "channel_vacated"))));

      awaitAnswer(
          a,
          SETTLE,
          "{\"users\":[{\"id\":\"" + watcherId + "\"}]}",
          "/channels/" + presence + "/users");
      // The watcher's connection and the survivor go on as before.
      a.api().trigger(presence, "after", "1");
      watcher.assertNext(event(presence, "after", "1"));
      assertTrue(detectedMillis <= BOUND.toMillis(), () -> detectedMillis + " ms");
    } finally {
      b.close();
    }
  }

  @Test
  void userStillConnectedToTheSurvivorStaysAMemberWhenItsOtherNodeIsKilled() {
    String presence = Unique.name("presence-death-");
    String probe = Unique.name("presence-death-probe-");
    String watcherId = Unique.name("w-");
    String user = Unique.name("u-");
    HeraldProcess b = node().start();
    try (RawClient watcher = RawClient.open(a.wsUrl());
        RawClient userOnA = RawClient.open(a.wsUrl());
        RawClient userOnB = RawClient.open(b.wsUrl());
        RawClient probeWatcher = RawClient.open(a.wsUrl())) {
      join(watcher, presence, watcherId);
      join(userOnA, presence, user);
      assertMemberAdded(watcher.awaitJson(), presence, user, "null");
      join(userOnB, presence, user);
      // The same socket on B is alone with a watcher on A in a second channel: its removal there
      // shows when the survivor has dealt with B.
      join(probeWatcher, probe, watcherId);
      join(userOnB, probe, user);
      assertMemberAdded(probeWatcher.awaitJson(), probe, user, "null");
      receiver.awaitDelivered(on(probe).and(named("member_added")), 2);

      long killed = System.nanoTime();
      b.kill();
      assertMemberRemoved(Json.parse(probeWatcher.awaitText(BOUND)), probe, user);
      System.out.println(
          "NodeFailureTest: member_removed (probe channel) reached the watcher "
              + Duration.ofNanos(System.nanoTime() - killed).toMillis()
              + " ms after SIGKILL");
      receiver.awaitDelivered(on(probe).and(named("member_removed")), 1, BOUND);

      a.api().trigger(presence, "marker", "m");
      watcher.assertNext(event(presence, "marker", "m"));
      userOnA.assertNext(event(presence, "marker", "m"));
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"user_count\":2}",
          "/channels/" + presence,
          "info",
          "user_count");
      assertEvents(List.of(), receiver.delivered(on(presence).and(named("member_removed"))));
    } finally {
      b.close();
    }
  }

  /**
   * A node paused (SIGSTOP, as a long GC pause or a frozen VM would) past the timeout is declared
   * dead like a killed one. When it resumes it finds it was (its heartbeat re-adds it to the node
   * set) and registers its members and subscriptions again: the survivor's watcher sees the member
   * come back, the counts and webhooks follow, and the resumed node's clients hear the return.
   */
  @Test
  void nodePausedPastTheTimeoutRegistersItsMembersAndSubscriptionsAgainWhenItResumes() {
    String presence = Unique.name("presence-paused-");
    String onlyOnB = Unique.name("paused-only-b-");
    String watcherId = Unique.name("w-");
    String user = Unique.name("u-");
    HeraldProcess b = node().start();
    try (RawClient watcher = RawClient.open(a.wsUrl());
        RawClient memberOnB = RawClient.open(b.wsUrl());
        RawClient loneOnB = RawClient.open(b.wsUrl())) {
      join(watcher, presence, watcherId);
      join(memberOnB, presence, user);
      assertMemberAdded(watcher.awaitJson(), presence, user, "null");
      loneOnB.subscribeOk(onlyOnB);
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":1}",
          "/channels/" + onlyOnB,
          "info",
          "subscription_count");
      receiver.awaitDelivered(on(onlyOnB).and(named("channel_occupied")), 1);

      ProcessSignals.stop(b.pid());
      long resumed;
      try {
        assertMemberRemoved(Json.parse(watcher.awaitText(BOUND)), presence, user);
        awaitAnswer(a, SETTLE, "{\"occupied\":false}", "/channels/" + onlyOnB);
      } finally {
        ProcessSignals.resume(b.pid());
        resumed = System.nanoTime();
      }
      assertMemberAdded(Json.parse(watcher.awaitText(BOUND)), presence, user, "null");
      System.out.println(
          "NodeFailureTest: a node paused past the timeout had its member back on the survivor "
              + Duration.ofNanos(System.nanoTime() - resumed).toMillis()
              + " ms after SIGCONT");
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"user_count\":2}",
          "/channels/" + presence,
          "info",
          "user_count");
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":1}",
          "/channels/" + onlyOnB,
          "info",
          "subscription_count");
      awaitAnswer(
          b,
          SETTLE,
          "{\"users\":[{\"id\":\"" + watcherId + "\"},{\"id\":\"" + user + "\"}]}",
          "/channels/" + presence + "/users");

      // The member's own connection may or may not have heard itself leave (B's bus connection
      // may have been replaced on resuming); either way it hears itself come back last.
      a.api().trigger(presence, "marker", "m");
      List<JsonNode> heard = memberOnB.awaitUntilEvent("marker");
      List<JsonNode> before = heard.subList(0, heard.size() - 1);
      assertTrue(
          before.size() == 1 || before.size() == 2,
          () -> "frames the resumed member got: " + heard);
      if (before.size() == 2) {
        assertMemberRemoved(before.get(0), presence, user);
      }
      assertMemberAdded(before.get(before.size() - 1), presence, user, "null");
      a.api().trigger(onlyOnB, "back", "1");
      loneOnB.assertNext(event(onlyOnB, "back", "1"));

      receiver.awaitDelivered(on(onlyOnB).and(named("channel_occupied")), 2, BOUND);
      assertEvents(
          List.of(
              hook("channel_occupied", onlyOnB),
              hook("channel_vacated", onlyOnB),
              hook("channel_occupied", onlyOnB)),
          receiver.delivered(on(onlyOnB).and(named("channel_occupied", "channel_vacated"))));
      receiver.awaitDelivered(on(presence).and(named("member_added")), 3, BOUND);
      assertSameEvents(
          List.of(
              hook("member_added", presence, "user_id", watcherId),
              hook("member_added", presence, "user_id", user),
              hook("member_removed", presence, "user_id", user),
              hook("member_added", presence, "user_id", user)),
          receiver.delivered(on(presence).and(named("member_added", "member_removed"))));
    } finally {
      ProcessSignals.resume(b.pid());
      b.close();
    }
  }

  /**
   * A dead node with more subscriptions than one cleanup batch ({@value #CHANNELS} channels, 100 a
   * batch) is cleaned up completely, one short script call after another: every channel it alone
   * occupied vacates, each with its webhook, once.
   */
  @Test
  void deadNodeWithMoreSubscriptionsThanOneCleanupBatchIsCleanedUpCompletely() {
    String prefix = Unique.name("bulk-") + "-";
    HeraldProcess b = node().start();
    try (RawClient many = RawClient.open(b.wsUrl())) {
      for (int i = 0; i < CHANNELS; i++) {
        many.sendText(
            Json.write(
                java.util.Map.of(
                    "event", "pusher:subscribe", "data", java.util.Map.of("channel", prefix + i))));
      }
      for (int i = 0; i < CHANNELS; i++) {
        assertEquals(
            "pusher_internal:subscription_succeeded", many.awaitJson().path("event").asText());
      }
      awaitAnswer(
          a,
          SETTLE,
          body -> body.path("channels").size() == CHANNELS,
          CHANNELS + " channels",
          "/channels",
          "filter_by_prefix",
          prefix);
      receiver.awaitDelivered(
          e -> e.path("channel").asText().startsWith(prefix) && named("channel_occupied").test(e),
          CHANNELS,
          BOUND);

      long killed = System.nanoTime();
      b.kill();
      awaitAnswer(a, BOUND, "{\"channels\":{}}", "/channels", "filter_by_prefix", prefix);
      System.out.println(
          "NodeFailureTest: a dead node's "
              + CHANNELS
              + " subscriptions were removed "
              + Duration.ofNanos(System.nanoTime() - killed).toMillis()
              + " ms after SIGKILL");
      List<JsonNode> vacated =
          receiver.awaitDelivered(
              e ->
                  e.path("channel").asText().startsWith(prefix) && named("channel_vacated").test(e),
              CHANNELS,
              BOUND);
      assertEquals(
          CHANNELS,
          vacated.stream().map(e -> e.path("channel").asText()).distinct().count(),
          "channel_vacated once per channel");
    } finally {
      b.kill();
    }
  }

  /**
   * At the default settings (heartbeat every 2 s, declared dead after 10 s of silence) a killed
   * node's member is removed for the survivor's watcher within the timeout plus two heartbeats (the
   * victim's last beat may be up to one old, the survivor sweeps once per beat): 14 s, and the test
   * allows 3 s more for a loaded machine.
   */
  @Test
  void atTheDefaultSettingsAKilledNodesMemberIsRemovedWithinTimeoutPlusTwoHeartbeats() {
    String presence = Unique.name("presence-default-death-");
    String watcherId = Unique.name("w-");
    String user = Unique.name("u-");
    // A cluster of their own (own key prefix): this class's survivor, declaring nodes dead after
    // 3 s, must not sweep them.
    List<HeraldProcess> nodes =
        ClusterTest.startNodes(2, redis, "HERALD_REDIS_PREFIX", Unique.name("defaults-") + ":");
    HeraldProcess survivor = nodes.get(0);
    HeraldProcess victim = nodes.get(1);
    try (RawClient watcher = RawClient.open(survivor.wsUrl());
        RawClient member = RawClient.open(victim.wsUrl())) {
      join(watcher, presence, watcherId);
      join(member, presence, user);
      assertMemberAdded(watcher.awaitJson(), presence, user, "null");

      long killed = System.nanoTime();
      victim.kill();
      assertMemberRemoved(
          Json.parse(watcher.awaitText(DEFAULT_CLEANUP_BOUND.plusSeconds(5))), presence, user);
      long removedMillis = Duration.ofNanos(System.nanoTime() - killed).toMillis();
      System.out.println(
          "NodeFailureTest: at the default settings member_removed reached the watcher "
              + removedMillis
              + " ms after SIGKILL");
      assertTrue(
          removedMillis <= DEFAULT_CLEANUP_BOUND.toMillis(),
          () -> "removed only after " + removedMillis + " ms");
    } finally {
      ClusterTest.closeAll(survivor, victim);
    }
  }

  /** Default node timeout (10 s) + two default heartbeats (2 s each) + 3 s for a loaded machine. */
  private static final Duration DEFAULT_CLEANUP_BOUND = Duration.ofSeconds(17);

  /** Channels of the dead node in the batch cleanup case: more than two batches of 100. */
  private static final int CHANNELS = 250;

  /**
   * A node killed (SIGKILL) while events are triggered through it and through the survivor: every
   * event either node answered 200 reaches the survivor's subscriber; a request cut off by the kill
   * got no answer, so its caller retries it.
   */
  @Test
  void everyEventAcceptedBeforeANodeIsKilledMidBroadcastReachesTheSurvivor() {
    String channel = Unique.name("mid-broadcast-");
    HeraldProcess b = node().start();
    try (RawClient onA = RawClient.open(a.wsUrl());
        RawClient onB = RawClient.open(b.wsUrl())) {
      onA.subscribeOk(channel);
      onB.subscribeOk(channel);
      awaitAnswer(
          a,
          SETTLE,
          "{\"occupied\":true,\"subscription_count\":2}",
          "/channels/" + channel,
          "info",
          "subscription_count");
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      List<Integer> accepted = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      int[] unanswered = {0};
      Thread load =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  HeraldProcess via = i % 2 == 0 ? a : b;
                  try {
                    ApiClient.Response response =
                        via.api()
                            .post(
                                "/events",
                                Json.write(
                                    java.util.Map.of(
                                        "name", "e", "channel", channel, "data", "" + i)));
                    if (response.status() == 200) {
                      accepted.add(i);
                    }
                  } catch (AssertionError connectionFailed) {
                    unanswered[0]++; // B is gone: no answer, nothing accepted
                  }
                }
              },
              "load");
      load.start();
      ClusterTest.pause(Duration.ofSeconds(2));
      b.kill();
      ClusterTest.pause(Duration.ofSeconds(2));
      stop.set(true);
      try {
        load.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      a.api().trigger(channel, "end", "end");
      List<Integer> received = new java.util.ArrayList<>();
      for (JsonNode frame : onA.awaitUntilEvent("end")) {
        if (frame.path("event").asText().equals("e")) {
          received.add(Integer.parseInt(frame.path("data").asText()));
        }
      }
      List<Integer> missing = new java.util.ArrayList<>(accepted);
      missing.removeAll(received);
      assertEquals(List.of(), missing, "accepted events the survivor's subscriber never got");
      assertEquals(
          received.size(), new java.util.HashSet<>(received).size(), "duplicates: " + received);
      System.out.println(
          "NodeFailureTest: node killed mid-broadcast: "
              + accepted.size()
              + " events accepted by either node, all received on the survivor; "
              + unanswered[0]
              + " requests to the dead node unanswered");
    } finally {
      b.kill();
    }
  }

  /**
   * Asserts the events are exactly these JSON values, each as often as listed, in any order (two
   * nodes send their webhooks independently).
   */
  static void assertSameEvents(List<String> expected, List<JsonNode> actual) {
    List<String> want = expected.stream().map(e -> Json.parse(e).toString()).sorted().toList();
    List<String> got = actual.stream().map(JsonNode::toString).sorted().toList();
    assertEquals(want, got, () -> "expected webhook events " + expected + " but got " + actual);
  }

  /** Joins presence {@code channel} as {@code userId} and reads the subscription reply. */
  private static void join(RawClient client, String channel, String userId) {
    client.subscribePresence(channel, presenceData(userId));
    client.awaitJson();
  }
}
