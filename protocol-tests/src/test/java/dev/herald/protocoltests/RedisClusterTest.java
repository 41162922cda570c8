package dev.herald.protocoltests;

import static dev.herald.protocoltests.ClusterTest.awaitAnswer;
import static dev.herald.protocoltests.FailoverScenario.awaitBothSubscribed;
import static dev.herald.protocoltests.FailoverScenario.awaitMembers;
import static dev.herald.protocoltests.FailoverScenario.joinTwoMembers;
import static dev.herald.protocoltests.FailoverScenario.startTwoNodes;
import static dev.herald.protocoltests.FailoverScenario.stopAfterTail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald on a Redis Cluster (three masters, three replicas on loopback, made with {@code redis-cli
 * --cluster create}), found from a seed list: its keys and its sharded bus share one hash slot, so
 * the Lua scripts run there and the bus is carried by that slot's shard. While events are triggered
 * without pause through both nodes, the master of that slot is killed (a replica takes over) or the
 * slot is migrated to another master; each event is accepted (200) and reaches both nodes or is
 * refused (503), and presence is exact afterwards. Full tier only.
 */
class RedisClusterTest {

  private static final Duration NOTICE = Duration.ofSeconds(40);

  @TempDir static Path dir;

  @Test
  void nodesFollowAMasterFailoverOfTheirSlotWithExactPresenceAndNo200ForAnUnrelayedEvent() {
    RedisCli.require();
    String prefix = Unique.name("herald-cluster-") + ":";
    try (RedisClusterSet redis = RedisClusterSet.start(dir)) {
      Scenario scenario = Scenario.start(redis, prefix);
      try {
        RedisServer master = redis.masterOf(redis.slotOf(prefix));
        long killed = System.nanoTime();
        master.kill();
        long firstAccepted = scenario.load.awaitAcceptedAfter(killed, NOTICE);
        redis.awaitOk(NOTICE);
        long recovered = System.nanoTime();
        scenario.finish(
            "master of the Herald slot killed; cluster ok again after "
                + (recovered - killed) / 1_000_000
                + " ms; first event accepted (and relayed) again after "
                + (firstAccepted - killed) / 1_000_000
                + " ms (the failover gap)");
      } finally {
        scenario.close();
      }
    }
  }

  /**
   * The master of Herald's slot freezes (SIGSTOP: its connections stay open and silent, as behind a
   * partition) and the cluster fails it over: the nodes notice the silence by their PINGs, which on
   * a Cluster go to that slot's master, and follow the slot to the promoted replica.
   */
  @Test
  void nodesFollowAFailoverAwayFromAFrozenMasterOfTheirSlot() {
    RedisCli.require();
    String prefix = Unique.name("herald-cluster-") + ":";
    try (RedisClusterSet redis = RedisClusterSet.start(dir)) {
      Scenario scenario = Scenario.start(redis, prefix);
      RedisServer master = redis.masterOf(redis.slotOf(prefix));
      try {
        long frozen = System.nanoTime();
        master.freeze();
        long firstAccepted = scenario.load.awaitAcceptedAfter(frozen, NOTICE);
        scenario.finish(
            "master of the Herald slot frozen; first event accepted (and relayed) again after "
                + (firstAccepted - frozen) / 1_000_000
                + " ms (the failover gap)");
      } finally {
        master.thaw();
        scenario.close();
      }
    }
  }

  @Test
  void nodesFollowTheirSlotMigratingToAnotherMasterDuringTraffic() {
    RedisCli.require();
    String prefix = Unique.name("herald-cluster-") + ":";
    try (RedisClusterSet redis = RedisClusterSet.start(dir)) {
      Scenario scenario = Scenario.start(redis, prefix);
      try {
        int slot = redis.slotOf(prefix);
        RedisServer source = redis.masterOf(slot);
        RedisServer target = redis.otherMaster(source);
        long started = System.nanoTime();
        int moved = redis.migrate(slot, source, target);
        long migrated = System.nanoTime();
        long firstAccepted = scenario.load.awaitAcceptedAfter(started, NOTICE);
        scenario.finish(
            "slot "
                + slot
                + " ("
                + moved
                + " keys) migrated in "
                + (migrated - started) / 1_000_000
                + " ms; first event accepted (and relayed) again "
                + (firstAccepted - started) / 1_000_000
                + " ms after the migration began (the gap)");
      } finally {
        scenario.close();
      }
    }
  }

  /**
   * Every key Herald wrote is in the slot of its hash tag (the prefix), and the bus is a sharded
   * channel there with both nodes subscribed.
   */
  private static void assertOneSlotAndAShardedBus(RedisClusterSet redis, String prefix) {
    int slot = redis.slotOf(prefix);
    RedisServer master = redis.masterOf(slot);
    long inSlot =
        Long.parseLong(
            RedisCli.run(master.port(), "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot)));
    long total = 0;
    for (RedisServer server : redis.servers()) {
      if (RedisCli.run(server.port(), "ROLE").startsWith("master")) {
        total += Long.parseLong(RedisCli.run(server.port(), "DBSIZE"));
      }
    }
    assertTrue(inSlot > 0, "no Herald key in slot " + slot);
    assertEquals(total, inSlot, "keys outside Herald's slot " + slot);
    assertEquals(
        "{" + prefix + "}bus\n2",
        RedisCli.run(master.port(), "PUBSUB", "SHARDNUMSUB", "{" + prefix + "}bus"),
        "sharded subscribers of the bus on the slot's master");
  }

  /** Two nodes on the cluster with subscribers and presence members on both, under event load. */
  private static final class Scenario {
    final HeraldProcess a;
    final HeraldProcess b;
    final RawClient onA;
    final RawClient onB;
    final RawClient memberA;
    final RawClient memberB;
    final String channel = Unique.name("cluster-");
    final String presence = Unique.name("presence-cluster-");
    final String userA = Unique.name("a-");
    final String userB = Unique.name("b-");
    EventLoad load;

    private Scenario(HeraldProcess a, HeraldProcess b) {
      this.a = a;
      this.b = b;
      this.onA = RawClient.open(a.wsUrl());
      this.onB = RawClient.open(b.wsUrl());
      this.memberA = RawClient.open(a.wsUrl());
      this.memberB = RawClient.open(b.wsUrl());
    }

    static Scenario start(RedisClusterSet redis, String prefix) {
      RedisServer any = redis.servers().get(0);
      List<HeraldProcess> nodes =
          startTwoNodes(
              any,
              "HERALD_REDIS_CLUSTER_NODES",
              redis.seeds(),
              "HERALD_REDIS_PREFIX",
              prefix,
              "HERALD_NODE_HEARTBEAT_SECONDS",
              "1",
              "HERALD_NODE_TIMEOUT_SECONDS",
              "20");
      Scenario scenario = new Scenario(nodes.get(0), nodes.get(1));
      try {
        scenario.setUp();
        assertOneSlotAndAShardedBus(redis, prefix);
        return scenario;
      } catch (RuntimeException | Error e) {
        scenario.close();
        throw e;
      }
    }

    private void setUp() {
      onA.subscribeOk(channel);
      onB.subscribeOk(channel);
      joinTwoMembers(presence, memberA, userA, memberB, userB);
      awaitBothSubscribed(b, NOTICE, channel);
      // Both directions relay before the load starts.
      a.api().trigger(channel, "warm", "a");
      onB.assertNext(Frames.event(channel, "warm", "a"));
      onA.assertNext(Frames.event(channel, "warm", "a"));
      load = EventLoad.start(channel, a, b);
      ClusterTest.pause(Duration.ofSeconds(1));
    }

    void finish(String what) {
      EventLoad.Result result = stopAfterTail(load, onA, onB);
      System.out.println("RedisClusterTest: " + what + "; " + result.summary());
      result.assertEveryAcceptedEventReachedBothNodes();
      assertTrue(result.accepted().size() > 0, "no event was accepted");
      awaitMembers(List.of(a, b), NOTICE, presence, Set.of(userA, userB));
      for (HeraldProcess node : List.of(a, b)) {
        awaitBothSubscribed(node, NOTICE, channel);
      }
      for (HeraldProcess node : List.of(a, b)) {
        // Each node's connection count, summed from the cluster by a script on Herald's slot.
        awaitAnswer(node, NOTICE, "{\"connections\":4}", "/connections");
      }
      memberB.disconnect();
      SentinelFailoverTest.awaitMemberRemoved(memberA, presence, userB);
    }

    void close() {
      for (RawClient client : List.of(onA, onB, memberA, memberB)) {
        try {
          client.close();
        } catch (RuntimeException ignored) {
          // Closing what is left; the test's own failure is what matters.
        }
      }
      ClusterTest.closeAll(a, b);
    }
  }
}
