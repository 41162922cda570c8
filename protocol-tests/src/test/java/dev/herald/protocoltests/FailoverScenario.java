package dev.herald.protocoltests;

import static dev.herald.protocoltests.ClusterTest.awaitAnswer;
import static dev.herald.protocoltests.ClusterTest.presenceData;
import static dev.herald.protocoltests.ClusterTest.userIds;
import static dev.herald.protocoltests.Frames.assertMemberAdded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The steps the Redis failover and outage tests share: two nodes started on a topology, a channel
 * subscribed on both, two presence members (one per node), the settled state awaited on every node,
 * and the event load stopped after a short tail. Stateless; each test keeps its own assertions and
 * printed figures.
 */
final class FailoverScenario {

  /** The channel answer once one subscriber on each of the two nodes is counted. */
  static final String BOTH_SUBSCRIBED = "{\"occupied\":true,\"subscription_count\":2}";

  private FailoverScenario() {}

  /**
   * Starts two nodes side by side on a topology named by {@code env} (sentinels, cluster seeds or a
   * {@code rediss://} URL): REDIS_URL is unset unless {@code env} sets it; {@code any} is one of
   * the topology's servers, which only the defaults refer to.
   */
  static List<HeraldProcess> startTwoNodes(RedisServer any, String... env) {
    List<String> all = new ArrayList<>();
    all.add("REDIS_URL");
    all.add(null);
    all.addAll(Arrays.asList(env));
    return ClusterTest.startNodes(2, any, all.toArray(String[]::new));
  }

  /** Subscribes {@code onA} and {@code onB} to {@code channel} and awaits both counted on node. */
  static void subscribeBoth(
      RawClient onA, RawClient onB, String channel, HeraldProcess node, Duration within) {
    onA.subscribeOk(channel);
    onB.subscribeOk(channel);
    awaitBothSubscribed(node, within, channel);
  }

  /** Awaits {@code node} counting one subscriber on each node for {@code channel}. */
  static void awaitBothSubscribed(HeraldProcess node, Duration within, String channel) {
    awaitAnswer(
        node, within, BOTH_SUBSCRIBED, "/channels/" + channel, "info", "subscription_count");
  }

  /**
   * {@code memberA} joins {@code presence} as {@code userA}, then {@code memberB} as {@code userB}
   * (on the other node), and {@code memberA} is told of {@code userB}.
   */
  static void joinTwoMembers(
      String presence, RawClient memberA, String userA, RawClient memberB, String userB) {
    memberA.subscribePresence(presence, presenceData(userA));
    memberA.awaitJson();
    memberB.subscribePresence(presence, presenceData(userB));
    memberB.awaitJson();
    assertMemberAdded(memberA.awaitJson(), presence, userB, "null");
  }

  /** Awaits every node listing exactly {@code users} as members of {@code presence}. */
  static void awaitMembers(
      List<HeraldProcess> nodes, Duration within, String presence, Set<String> users) {
    for (HeraldProcess node : nodes) {
      awaitAnswer(
          node,
          within,
          body -> userIds(body).equals(users),
          "users " + users,
          "/channels/" + presence + "/users");
    }
  }

  /**
   * Lets the load run two more seconds (events accepted just after recovery must be relayed too),
   * then stops it and collects what {@code onA} and {@code onB} received.
   */
  static EventLoad.Result stopAfterTail(EventLoad load, RawClient onA, RawClient onB) {
    ClusterTest.pause(Duration.ofSeconds(2));
    return load.stop(onA, onB);
  }
}
