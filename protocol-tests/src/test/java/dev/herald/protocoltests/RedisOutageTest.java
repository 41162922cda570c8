package dev.herald.protocoltests;

import static dev.herald.protocoltests.ClusterTest.awaitAnswer;
import static dev.herald.protocoltests.ClusterTest.presenceData;
import static dev.herald.protocoltests.ClusterTest.userIds;
import static dev.herald.protocoltests.Frames.assertError;
import static dev.herald.protocoltests.Frames.assertMemberAdded;
import static dev.herald.protocoltests.Frames.assertMemberRemoved;
import static dev.herald.protocoltests.Frames.assertPresenceSucceeded;
import static dev.herald.protocoltests.Frames.event;
import static dev.herald.protocoltests.UserAuthenticationTest.userData;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back (empty, as a restarted cache without persistence would): nodes
 * say they are not ready but keep serving their own clients, then reconnect and register their
 * subscriptions, members and signed-in users again without any client reconnecting. Also: a node
 * that cannot reach Redis at start refuses to start.
 */
class RedisOutageTest {

  /** How long a node may take to notice Redis is gone or back (reconnects use back-off). */
  private static final Duration NOTICE = Duration.ofSeconds(20);

  /**
   * How soon /ready must turn 503 after Redis freezes: the default PING interval (1 s) and timeout
   * (2 s), plus room for this test's polling on a loaded machine.
   */
  private static final Duration FROZEN_BOUND = Duration.ofMillis(4_500);

  private static final String READY = "{\"status\":\"ready\"}";
  private static final String NOT_READY =
      "{\"status\":\"not ready\",\"reason\":\"Redis is unreachable\"}";

  @Test
  void startWithRedisUnreachableExitsWithStatus1NamingRedis() {
    int closedPort = closedPort();
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults()
            .env("HERALD_SCALING", "redis")
            .env("REDIS_URL", "redis://127.0.0.1:" + closedPort)
            .runExpectingExit();
    assertEquals(1, exit.code(), exit.output());
    assertTrue(exit.output().contains("herald: cannot start on "), exit.output());
    assertTrue(
        exit.output().contains("cannot reach Redis at redis://127.0.0.1:" + closedPort),
        exit.output());
  }

  @Test
  void readyIs200AndUpIs200WhileRedisIsReachable() {
    RedisServer.require();
    try (RedisServer redis = RedisServer.start()) {
      HeraldProcess node = ClusterTest.node(redis).start();
      try {
        assertAnswers(node, "/ready", 200, READY);
        assertAnswers(node, "/up", 200, "{\"status\":\"ok\"}");
      } finally {
        node.close();
      }
    }
  }

  @Test
  void nodesServeLocalClientsDuringARedisOutageAndRejoinTheClusterWhenRedisComesBackEmpty() {
    RedisServer.require();
    String channel = Unique.name("outage-");
    String presence = Unique.name("presence-outage-");
    String one = Unique.name("u-");
    String two = Unique.name("u-");
    String three = Unique.name("u-");
    String signedIn = Unique.name("s-");
    try (RedisServer redis = RedisServer.start()) {
      List<HeraldProcess> nodes = twoQuickNodes(redis);
      HeraldProcess a = nodes.get(0);
      HeraldProcess b = nodes.get(1);
      try (RawClient onA = RawClient.open(a.wsUrl());
          RawClient onB = RawClient.open(b.wsUrl());
          RawClient oneOnA = RawClient.open(a.wsUrl());
          RawClient twoOnB = RawClient.open(b.wsUrl());
          RawClient signedInOnB = RawClient.open(b.wsUrl())) {
        onA.subscribeOk(channel);
        onB.subscribeOk(channel);
        FailoverScenario.joinTwoMembers(presence, oneOnA, one, twoOnB, two);
        signedInOnB.signinOk(userData(signedIn, ""));
        a.api().trigger(channel, "before", "0");
        onA.assertNext(event(channel, "before", "0"));
        onB.assertNext(event(channel, "before", "0"));

        // Redis goes away.
        long stopped = System.nanoTime();
        redis.stop();
        for (HeraldProcess node : List.of(a, b)) {
          awaitStatus(node, "/ready", 503, NOT_READY, NOTICE);
          assertAnswers(node, "/up", 200, "{\"status\":\"ok\"}");
        }
        System.out.println(
            "RedisOutageTest: both nodes answered /ready 503 "
                + Duration.ofNanos(System.nanoTime() - stopped).toMillis()
                + " ms after Redis stopped");
        // An event the node cannot hand to the other nodes is refused, not half delivered: the
        // caller retries it later and no subscriber that stays connected misses it.
        for (HeraldProcess node : List.of(a, b)) {
          ApiClient.Response refused =
              node.api()
                  .post(
                      "/events",
                      Json.write(Map.of("name", "during", "channel", channel, "data", "1")));
          ApiClient.assertError(refused, 503);
          ApiClient.Response batch =
              node.api()
                  .post(
                      "/batch_events",
                      Json.write(
                          Map.of(
                              "batch",
                              List.of(Map.of("name", "during", "channel", channel, "data", "1")))));
          ApiClient.assertError(batch, 503);
        }
        onA.assertPingPong();
        onB.assertPingPong();

        // Redis comes back empty on the same port.
        long restarted = System.nanoTime();
        redis.restart();
        for (HeraldProcess node : List.of(a, b)) {
          awaitStatus(node, "/ready", 200, READY, NOTICE);
        }
        System.out.println(
            "RedisOutageTest: both nodes answered /ready 200 "
                + Duration.ofNanos(System.nanoTime() - restarted).toMillis()
                + " ms after Redis restarted");

        // Events are refused (503, nothing sent) until the nodes are all back on the bus.
        triggerOnceAccepted(a, channel, "after", "2");
        onA.assertNext(event(channel, "after", "2"));
        onB.assertNext(event(channel, "after", "2"));
        triggerOnceAccepted(b, channel, "back", "3");
        onA.assertNext(event(channel, "back", "3"));
        onB.assertNext(event(channel, "back", "3"));

        for (HeraldProcess node : List.of(a, b)) {
          awaitAnswer(
              node,
              NOTICE,
              "{\"occupied\":true,\"subscription_count\":2}",
              "/channels/" + channel,
              "info",
              "subscription_count");
          awaitAnswer(
              node,
              NOTICE,
              "{\"occupied\":true,\"user_count\":2}",
              "/channels/" + presence,
              "info",
              "user_count");
        }

        // Members present all along hear of no one joining or leaving (not even themselves).
        Map<String, List<JsonNode>> churn = new LinkedHashMap<>();
        churn.put(one + " on A", framesBeforePong(oneOnA));
        churn.put(two + " on B", framesBeforePong(twoOnB));
        // (Asserted at the end, so the steps below are exercised either way.)

        // Presence goes on across nodes: a newcomer on B sees the member held by A.
        try (RawClient threeOnB = RawClient.open(b.wsUrl())) {
          threeOnB.subscribePresence(presence, presenceData(three));
          assertPresenceSucceeded(
              threeOnB.awaitJson(),
              presence,
              "{\"" + one + "\":null,\"" + two + "\":null,\"" + three + "\":null}");
          assertMemberAdded(oneOnA.awaitJson(), presence, three, "null");
          assertMemberAdded(twoOnB.awaitJson(), presence, three, "null");
        }

        // The signed-in user on B is known to the cluster again.
        ApiClient.Response response =
            a.api().post("/users/" + signedIn + "/terminate_connections", "{}");
        assertEquals(200, response.status(), response::body);
        assertError(signedInOnB.awaitJson(), 4009);
        assertEquals(4009, signedInOnB.awaitClose());

        // Both reported together: one failing must not hide the other.
        assertAll(
            () ->
                assertEquals(
                    Map.of(one + " on A", List.of(), two + " on B", List.of()),
                    churn,
                    "frames the presence members got from the outage and recovery"),
            () -> {
              for (HeraldProcess node : List.of(a, b)) {
                awaitAnswer(
                    node,
                    ClusterTest.SETTLE,
                    users -> userIds(users).equals(Set.of(one, two)),
                    "users " + one + " and " + two,
                    "/channels/" + presence + "/users");
              }
            });
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  /**
   * Redis killed (SIGKILL) and restarted while events are triggered without pause through both
   * nodes: each is either accepted (200) and then reaches the subscribers on both nodes, or refused
   * with 503 for the caller to retry. Accepted events lost: 0.
   */
  @Test
  void everyEventAcceptedWhileRedisIsKilledAndRestartedUnderLoadReachesBothNodes() {
    RedisServer.require();
    String channel = Unique.name("load-");
    try (RedisServer redis = RedisServer.start()) {
      List<HeraldProcess> nodes = twoQuickNodes(redis);
      HeraldProcess a = nodes.get(0);
      HeraldProcess b = nodes.get(1);
      try (RawClient onA = RawClient.open(a.wsUrl());
          RawClient onB = RawClient.open(b.wsUrl())) {
        FailoverScenario.subscribeBoth(onA, onB, channel, a, NOTICE);
        java.util.concurrent.atomic.AtomicBoolean stop =
            new java.util.concurrent.atomic.AtomicBoolean();
        List<Integer> accepted =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        int[] refused = {0};
        Thread load =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    HeraldProcess via = i % 2 == 0 ? a : b;
                    ApiClient.Response response =
                        via.api()
                            .post(
                                "/events",
                                Json.write(
                                    Map.of("name", "e", "channel", channel, "data", "" + i)));
                    if (response.status() == 200) {
                      accepted.add(i);
                    } else if (response.status() == 503) {
                      refused[0]++;
                    } else {
                      throw new AssertionError(response.status() + " " + response.body());
                    }
                  }
                },
                "load");
        load.start();
        ClusterTest.pause(Duration.ofSeconds(1));
        long killed = System.nanoTime();
        redis.kill();
        for (HeraldProcess node : List.of(a, b)) {
          awaitStatus(node, "/ready", 503, NOT_READY, NOTICE);
        }
        ClusterTest.pause(Duration.ofSeconds(1));
        redis.restart();
        for (HeraldProcess node : List.of(a, b)) {
          awaitStatus(node, "/ready", 200, READY, NOTICE);
        }
        long outage = System.nanoTime() - killed;
        int acceptedBeforeRecovery = accepted.size();
        // For 7 s after a reconnect a node still refuses events (the other nodes may not be back
        // on the bus yet); then they are accepted again.
        ClusterTest.pause(Duration.ofSeconds(9));
        stop.set(true);
        try {
          load.join(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        a.api().trigger(channel, "end", "end");
        for (RawClient client : List.of(onA, onB)) {
          List<Integer> received = new java.util.ArrayList<>();
          for (JsonNode frame : client.awaitUntilEvent("end")) {
            if (frame.path("event").asText().equals("e")) {
              received.add(Integer.parseInt(frame.path("data").asText()));
            }
          }
          assertEquals(
              received.size(),
              new java.util.HashSet<>(received).size(),
              "an event arrived twice: " + received);
          List<Integer> missing = new java.util.ArrayList<>(accepted);
          missing.removeAll(received);
          assertEquals(List.of(), missing, "accepted events a subscriber never got");
        }
        System.out.println(
            "RedisOutageTest: under load through a "
                + Duration.ofNanos(outage).toMillis()
                + " ms Redis outage (SIGKILL, restart): "
                + accepted.size()
                + " events accepted, all delivered on both nodes; "
                + refused[0]
                + " refused with 503");
        assertTrue(refused[0] > 0, "no event was refused while Redis was down");
        assertTrue(
            accepted.size() > acceptedBeforeRecovery, "no event was accepted after the recovery");
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  /**
   * A Redis that stops answering without closing its connections (frozen with SIGSTOP, as behind a
   * silent partition): the node's PING goes unanswered, so /ready turns 503 within the PING
   * interval + timeout (1 s + 2 s by default), commands fail at once instead of waiting, and the
   * misses are counted; once Redis answers again the node is ready again and its subscription was
   * kept.
   */
  @Test
  void readyTurns503WithinPingIntervalPlusTimeoutWhenRedisFreezesAndCommandsFailFast() {
    RedisServer.require();
    String channel = Unique.name("frozen-");
    try (RedisServer redis = RedisServer.start()) {
      HeraldProcess node = ClusterTest.node(redis, "HERALD_NODE_HEARTBEAT_SECONDS", "1").start();
      try (RawClient client = RawClient.open(node.wsUrl())) {
        client.subscribeOk(channel);
        assertAnswers(node, "/ready", 200, READY);
        double pingFailuresBefore = metric(node, "herald_redis_ping_failures_total");
        double heartbeatFailuresBefore = metric(node, "herald_redis_heartbeat_failures_total");

        long frozen = System.nanoTime();
        redis.freeze();
        long notReadyMillis;
        long channelsAnsweredMillis;
        ApiClient.Response channels;
        try {
          awaitStatus(node, "/ready", 503, NOT_READY, NOTICE);
          notReadyMillis = Duration.ofNanos(System.nanoTime() - frozen).toMillis();
          // While Redis is lost a query fails at once instead of waiting for it.
          long asked = System.nanoTime();
          channels = node.api().get("/channels");
          channelsAnsweredMillis = Duration.ofNanos(System.nanoTime() - asked).toMillis();
          ApiClient.assertError(
              node.api()
                  .post(
                      "/events",
                      Json.write(Map.of("name", "during", "channel", channel, "data", "1"))),
              503);
          // The cluster's connection count is unknown: said so, not this node's share as if all.
          ApiClient.assertError(node.api().get("/connections"), 503);
          client.assertPingPong();
          awaitMetricAbove(node, "herald_redis_heartbeat_failures_total", heartbeatFailuresBefore);
          assertTrue(
              metric(node, "herald_redis_ping_failures_total") > pingFailuresBefore,
              "the unanswered PING was not counted");
        } finally {
          redis.thaw();
        }
        long thawed = System.nanoTime();
        awaitStatus(node, "/ready", 200, READY, NOTICE);
        System.out.println(
            "RedisOutageTest: Redis frozen (SIGSTOP): /ready 503 after "
                + notReadyMillis
                + " ms; GET /channels answered "
                + channels.status()
                + " in "
                + channelsAnsweredMillis
                + " ms meanwhile; /ready 200 "
                + Duration.ofNanos(System.nanoTime() - thawed).toMillis()
                + " ms after SIGCONT");
        assertEquals(500, channels.status(), channels::body);
        assertTrue(
            channelsAnsweredMillis < 1000,
            () -> "GET /channels took " + channelsAnsweredMillis + " ms while Redis was frozen");
        // PING every 1 s, 2 s to answer; the rest is this test's polling and a loaded machine.
        assertTrue(
            notReadyMillis <= FROZEN_BOUND.toMillis(),
            () -> "/ready turned 503 only " + notReadyMillis + " ms after Redis froze");

        triggerOnceAccepted(node, channel, "after", "2");
        client.assertNext(event(channel, "after", "2"));
      } finally {
        node.close();
      }
    }
  }

  /**
   * Connections that leave while Redis is frozen cannot be removed from it then (their leave
   * fails); once Redis answers again their node removes them, so no ghost member stays in the
   * presence channel and the channel they alone occupied vacates, for the other nodes too.
   */
  @Test
  void membersWhoLeaveWhileRedisIsFrozenAreRemovedOnceItAnswersAgain() {
    RedisServer.require();
    String presence = Unique.name("presence-ghost-");
    String lonely = Unique.name("ghost-lonely-");
    String watcherId = Unique.name("w-");
    String leaver = Unique.name("u-");
    try (RedisServer redis = RedisServer.start()) {
      List<HeraldProcess> nodes = twoQuickNodes(redis);
      HeraldProcess a = nodes.get(0);
      HeraldProcess b = nodes.get(1);
      try (RawClient watcherOnB = RawClient.open(b.wsUrl())) {
        watcherOnB.subscribePresence(presence, presenceData(watcherId));
        watcherOnB.awaitJson();
        RawClient leaverOnA = RawClient.open(a.wsUrl());
        leaverOnA.subscribePresence(presence, presenceData(leaver));
        leaverOnA.awaitJson();
        assertMemberAdded(watcherOnB.awaitJson(), presence, leaver, "null");
        leaverOnA.subscribeOk(lonely);
        awaitAnswer(
            b,
            NOTICE,
            "{\"occupied\":true,\"subscription_count\":1}",
            "/channels/" + lonely,
            "info",
            "subscription_count");

        redis.freeze();
        try {
          awaitStatus(a, "/ready", 503, NOT_READY, NOTICE);
          leaverOnA.disconnect();
          // A's leave could not reach Redis; give it the time it would take to try.
          ClusterTest.pause(Duration.ofSeconds(1));
        } finally {
          redis.thaw();
        }
        long thawed = System.nanoTime();

        assertMemberRemoved(Json.parse(watcherOnB.awaitText(NOTICE)), presence, leaver);
        System.out.println(
            "RedisOutageTest: a member who left while Redis was frozen was removed "
                + Duration.ofNanos(System.nanoTime() - thawed).toMillis()
                + " ms after SIGCONT");
        for (HeraldProcess node : List.of(a, b)) {
          awaitAnswer(
              node,
              NOTICE,
              "{\"users\":[{\"id\":\"" + watcherId + "\"}]}",
              "/channels/" + presence + "/users");
          awaitAnswer(node, NOTICE, "{\"occupied\":false}", "/channels/" + lonely);
          awaitAnswer(node, NOTICE, "{\"channels\":{}}", "/channels", "filter_by_prefix", lonely);
        }
        watcherOnB.assertPingPong();
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  private static double metric(HeraldProcess node, String name) {
    ApiClient.Response metrics = ApiClient.getUrl(node.httpBase() + "/metrics");
    assertEquals(200, metrics.status());
    return PrometheusText.parse(metrics.body()).value(name);
  }

  private static void awaitMetricAbove(HeraldProcess node, String name, double floor) {
    long deadline = System.nanoTime() + NOTICE.toNanos();
    while (metric(node, name) <= floor) {
      assertTrue(System.nanoTime() < deadline, name + " stayed at " + floor);
      ClusterTest.pause(Duration.ofMillis(100));
    }
  }

  /** Triggers until the node accepts (it answers 503, sending nothing, while it cannot). */
  private static void triggerOnceAccepted(
      HeraldProcess node, String channel, String name, String data) {
    long deadline = System.nanoTime() + NOTICE.toNanos();
    while (true) {
      ApiClient.Response response =
          node.api()
              .post("/events", Json.write(Map.of("name", name, "channel", channel, "data", data)));
      if (response.status() == 200) {
        return;
      }
      ApiClient.assertError(response, 503);
      assertTrue(System.nanoTime() < deadline, "still refused after " + NOTICE);
      ClusterTest.pause(Duration.ofMillis(200));
    }
  }

  /** Sends pusher:ping and returns the frames that came before the pong. */
  private static List<JsonNode> framesBeforePong(RawClient client) {
    client.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
    List<JsonNode> frames = client.awaitUntilEvent("pusher:pong");
    return frames.subList(0, frames.size() - 1);
  }

  /** Asserts one plain GET of {@code path} on {@code node} answers exactly this. */
  private static void assertAnswers(HeraldProcess node, String path, int status, String body) {
    ApiClient.Response response = ApiClient.getUrl(node.httpBase() + path);
    assertEquals(status, response.status(), () -> path + " answered " + response.body());
    Json.assertJson(body, response.json());
  }

  /**
   * Polls a plain GET of {@code path} until it answers exactly this; fails after {@code within}.
   */
  private static void awaitStatus(
      HeraldProcess node, String path, int status, String body, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    ApiClient.Response last;
    do {
      last = ApiClient.getUrl(node.httpBase() + path);
      if (last.status() == status
          && isJson(last.body())
          && Json.parse(last.body()).equals(Json.parse(body))) {
        return;
      }
      ClusterTest.pause(Duration.ofMillis(100));
    } while (System.nanoTime() < deadline);
    ApiClient.Response answer = last;
    throw new AssertionError(
        "node on port "
            + node.port()
            + ": GET "
            + path
            + " expected "
            + status
            + " "
            + body
            + " within "
            + within
            + " but the last answer was "
            + answer.status()
            + " "
            + answer.body());
  }

  private static boolean isJson(String text) {
    try {
      Json.MAPPER.readTree(text);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Two nodes on {@code redis} that heartbeat every second and declare a node dead after 3 s. */
  private static List<HeraldProcess> twoQuickNodes(RedisServer redis) {
    return ClusterTest.startNodes(
        2, redis, "HERALD_NODE_HEARTBEAT_SECONDS", "1", "HERALD_NODE_TIMEOUT_SECONDS", "3");
  }
}
