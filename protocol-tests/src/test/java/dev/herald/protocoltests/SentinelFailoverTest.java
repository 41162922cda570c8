package dev.herald.protocoltests;

import static dev.herald.protocoltests.ClusterTest.presenceData;
import static dev.herald.protocoltests.FailoverScenario.awaitBothSubscribed;
import static dev.herald.protocoltests.FailoverScenario.awaitMembers;
import static dev.herald.protocoltests.FailoverScenario.joinTwoMembers;
import static dev.herald.protocoltests.FailoverScenario.startTwoNodes;
import static dev.herald.protocoltests.FailoverScenario.stopAfterTail;
import static dev.herald.protocoltests.FailoverScenario.subscribeBoth;
import static dev.herald.protocoltests.Frames.assertMemberAdded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald on a Redis watched by Sentinel (master, replica, three sentinels on loopback) follows a
 * failover: the master is killed, the sentinels promote the replica, and both nodes reconnect to it
 * through the sentinels, subscribe to the bus again and register their members again, including one
 * the replica never received (replication is asynchronous). Events are triggered without pause
 * through both nodes throughout: each is either accepted (200) and then reaches the subscribers on
 * both nodes, or refused (503) for the caller to retry. The gap (kill to the first event accepted
 * again) is printed. Full tier only: it takes about half a minute.
 */
class SentinelFailoverTest {

  private static final Duration NOTICE = Duration.ofSeconds(40);

  @TempDir static Path dir;

  @Test
  void nodesFollowAFailoverRelayingAgainWithExactPresenceAndNo200ForAnUnrelayedEvent() {
    RedisCli.require();
    String channel = Unique.name("sentinel-");
    String presence = Unique.name("presence-sentinel-");
    String userA = Unique.name("a-");
    String userB = Unique.name("b-");
    String unreplicated = Unique.name("c-");
    try (RedisSentinelSet redis = RedisSentinelSet.start(dir)) {
      // One node reads the HERALD_ names, the other the REDIS_SENTINEL_* names of Laravel's
      // Sentinel packages.
      CompletableFuture<HeraldProcess> startingA =
          CompletableFuture.supplyAsync(
              () ->
                  node(
                          redis,
                          "HERALD_REDIS_SENTINELS",
                          redis.sentinels(),
                          "HERALD_REDIS_SENTINEL_MASTER",
                          RedisSentinelSet.MASTER_NAME)
                      .start());
      CompletableFuture<HeraldProcess> startingB =
          CompletableFuture.supplyAsync(
              () ->
                  node(
                          redis,
                          "REDIS_SENTINEL_HOST",
                          redis.sentinels(),
                          "REDIS_SENTINEL_SERVICE",
                          RedisSentinelSet.MASTER_NAME)
                      .start());
      HeraldProcess a = startingA.join();
      HeraldProcess b = startingB.join();
      try (RawClient onA = RawClient.open(a.wsUrl());
          RawClient onB = RawClient.open(b.wsUrl());
          RawClient memberA = RawClient.open(a.wsUrl());
          RawClient memberB = RawClient.open(b.wsUrl());
          RawClient memberC = RawClient.open(a.wsUrl())) {
        onA.subscribeOk(channel);
        onB.subscribeOk(channel);
        joinTwoMembers(presence, memberA, userA, memberB, userB);
        awaitBothSubscribed(b, NOTICE, channel);

        EventLoad load = EventLoad.start(channel, a, b);
        ClusterTest.pause(Duration.ofSeconds(1));

        // A member joins while the replica cannot receive it: frozen, its link to the master cut.
        redis.replica().freeze();
        long killed;
        try {
          RedisCli.run(redis.master().port(), "CLIENT", "KILL", "TYPE", "replica");
          memberC.subscribePresence(presence, presenceData(unreplicated));
          memberC.awaitJson();
          assertMemberAdded(memberB.awaitJson(), presence, unreplicated, "null");
          killed = System.nanoTime();
          redis.master().kill();
        } finally {
          redis.replica().thaw();
        }
        redis.awaitReplicaPromoted(NOTICE);
        long promoted = System.nanoTime();
        long firstAccepted = load.awaitAcceptedAfter(killed, NOTICE);
        EventLoad.Result result = stopAfterTail(load, onA, onB);

        long gapMillis = (firstAccepted - killed) / 1_000_000;
        System.out.println(
            "SentinelFailoverTest: master killed; replica promoted after "
                + (promoted - killed) / 1_000_000
                + " ms; first event accepted (and relayed) again after "
                + gapMillis
                + " ms (the failover gap); "
                + result.summary());
        result.assertEveryAcceptedEventReachedBothNodes();
        assertTrue(result.refused() > 0, "no event was refused during the failover");

        // Presence is exact again on both nodes, the member the replica never got included.
        awaitMembers(List.of(a, b), NOTICE, presence, Set.of(userA, userB, unreplicated));
        for (HeraldProcess node : List.of(a, b)) {
          awaitBothSubscribed(node, NOTICE, channel);
        }
        // REDIS_DB was selected on the master found through the sentinels.
        assertTrue(
            Long.parseLong(RedisCli.run(redis.replica().port(), "-n", "2", "DBSIZE")) > 0,
            "no key in database 2 of the promoted replica");
        assertEquals("0", RedisCli.run(redis.replica().port(), "-n", "0", "DBSIZE"));
        // And presence goes on across nodes: a leave on A reaches B's members.
        memberC.disconnect();
        awaitMemberRemoved(memberB, presence, unreplicated);
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  /**
   * The master freezes (SIGSTOP: connections open and silent, as behind a partition): the nodes'
   * PINGs go unanswered, the sentinels promote the replica, and the nodes reconnect to it.
   */
  @Test
  void nodesFollowAFailoverAwayFromAFrozenMaster() {
    RedisCli.require();
    String channel = Unique.name("frozen-sentinel-");
    try (RedisSentinelSet redis = RedisSentinelSet.start(dir)) {
      List<HeraldProcess> nodes = startOnSentinels(redis);
      HeraldProcess a = nodes.get(0);
      HeraldProcess b = nodes.get(1);
      try (RawClient onA = RawClient.open(a.wsUrl());
          RawClient onB = RawClient.open(b.wsUrl())) {
        subscribeBoth(onA, onB, channel, b, NOTICE);
        EventLoad load = EventLoad.start(channel, a, b);
        ClusterTest.pause(Duration.ofSeconds(1));
        long frozen = System.nanoTime();
        redis.master().freeze();
        try {
          redis.awaitReplicaPromoted(NOTICE);
          long firstAccepted = load.awaitAcceptedAfter(frozen, NOTICE);
          EventLoad.Result result = stopAfterTail(load, onA, onB);
          System.out.println(
              "SentinelFailoverTest: master frozen; first event accepted (and relayed) again after "
                  + (firstAccepted - frozen) / 1_000_000
                  + " ms (the failover gap); "
                  + result.summary());
          result.assertEveryAcceptedEventReachedBothNodes();
          for (HeraldProcess node : List.of(a, b)) {
            awaitBothSubscribed(node, NOTICE, channel);
          }
        } finally {
          redis.master().thaw();
        }
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  /**
   * A switchover an operator asks for ({@code SENTINEL FAILOVER}): the old master stays up, and a
   * master, until the sentinels demote it seconds later (closing its clients); the nodes keep
   * relaying through it together until then, and follow the sentinels to the new master after.
   * (Following the sentinels' {@code +switch-master} announcement instead was tried: each sentinel
   * announces at its own moment, so the nodes moved one at a time, and an event one of them
   * accepted on the old master missed the other's subscribers.)
   */
  @Test
  void nodesFollowAManualSwitchoverWhileTheOldMasterStaysUp() {
    RedisCli.require();
    String channel = Unique.name("switchover-");
    String presence = Unique.name("presence-switchover-");
    String userA = Unique.name("a-");
    String userB = Unique.name("b-");
    try (RedisSentinelSet redis = RedisSentinelSet.start(dir)) {
      List<HeraldProcess> nodes = startOnSentinels(redis);
      HeraldProcess a = nodes.get(0);
      HeraldProcess b = nodes.get(1);
      try (RawClient onA = RawClient.open(a.wsUrl());
          RawClient onB = RawClient.open(b.wsUrl());
          RawClient memberA = RawClient.open(a.wsUrl());
          RawClient memberB = RawClient.open(b.wsUrl())) {
        onA.subscribeOk(channel);
        onB.subscribeOk(channel);
        joinTwoMembers(presence, memberA, userA, memberB, userB);
        EventLoad load = EventLoad.start(channel, a, b);
        ClusterTest.pause(Duration.ofSeconds(1));

        long asked = System.nanoTime();
        assertEquals(
            "OK",
            RedisCli.run(
                redis.anySentinel(), "SENTINEL", "FAILOVER", RedisSentinelSet.MASTER_NAME));
        redis.awaitReplicaPromoted(NOTICE);
        long firstAccepted = load.awaitAcceptedAfter(asked, NOTICE);
        EventLoad.Result result = stopAfterTail(load, onA, onB);
        long firstRefused = load.firstRefusedAfter(asked);
        // The old master serves (and relays) until the sentinels make it a replica, which closes
        // its clients: the gap is from then on.
        System.out.println(
            "SentinelFailoverTest: SENTINEL FAILOVER (switchover): old master's clients closed "
                + (firstRefused - asked) / 1_000_000
                + " ms after asking; events refused for "
                + (firstAccepted - firstRefused) / 1_000_000
                + " ms (the gap); "
                + result.summary());
        result.assertEveryAcceptedEventReachedBothNodes();
        assertTrue(
            RedisCli.run(redis.master().port(), "INFO", "replication").contains("role:slave"),
            "the old master was not made a replica");
        awaitMembers(List.of(a, b), NOTICE, presence, Set.of(userA, userB));
        memberB.disconnect();
        awaitMemberRemoved(memberA, presence, userB);
      } finally {
        ClusterTest.closeAll(a, b);
      }
    }
  }

  /**
   * Reads frames until the member_removed for {@code user} (a member_added for a member already
   * listed may come first: a node that registers a lost member again announces it).
   */
  static void awaitMemberRemoved(RawClient client, String channel, String user) {
    long deadline = System.nanoTime() + NOTICE.toNanos();
    while (true) {
      var frame = Json.parse(client.awaitText(Duration.ofNanos(deadline - System.nanoTime())));
      if (frame.path("event").asText().equals("pusher_internal:member_removed")) {
        Frames.assertMemberRemoved(frame, channel, user);
        return;
      }
    }
  }

  /** Two nodes finding the master through the sentinels, declared lost after 20 s of silence. */
  private static List<HeraldProcess> startOnSentinels(RedisSentinelSet redis) {
    return startTwoNodes(
        redis.master(),
        "HERALD_REDIS_SENTINELS",
        redis.sentinels(),
        "HERALD_REDIS_SENTINEL_MASTER",
        RedisSentinelSet.MASTER_NAME,
        "HERALD_NODE_TIMEOUT_SECONDS",
        "20");
  }

  private static HeraldProcess node(RedisSentinelSet redis, String... env) {
    HeraldProcess node =
        ClusterTest.node(redis.master(), "REDIS_URL", null, "REDIS_DB", "2")
            .env("HERALD_NODE_HEARTBEAT_SECONDS", "1")
            .env("HERALD_NODE_TIMEOUT_SECONDS", "20");
    for (int i = 0; i < env.length; i += 2) {
      node.env(env[i], env[i + 1]);
    }
    return node;
  }
}
