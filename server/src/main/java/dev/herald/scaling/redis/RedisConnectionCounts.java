package dev.herald.scaling.redis;

import dev.herald.scaling.ConnectionCounts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An app's connections across the cluster. Every heartbeat period each node writes its count of
 * each app into the app's hash (node id → connections); a query adds the counts of the other nodes
 * that are still heartbeating to this node's live count, in one script call. So another node's
 * share is at most one heartbeat period old, and a node that died is counted until it misses the
 * node timeout. Counting on each query instead would cost a bus round trip to every node per
 * request (Laravel Pulse asks every 15 s per app). Thread-safe.
 */
public final class RedisConnectionCounts implements ConnectionCounts {
  private static final Logger LOG = Logger.getLogger(RedisConnectionCounts.class.getName());
  private static final RedisScript COUNT = RedisScript.load("connection_count.lua");

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final long nodeTimeoutMillis;
  private final Supplier<Map<String, Integer>> localCounts;
  private final ToIntFunction<String> localCount;
  private final Clock clock;

  /** The apps whose count the last pass wrote (non-zero); only the publishing timer touches it. */
  private Set<String> published = Set.of();

  /**
   * @param localCounts this node's connections of every app it has served (0 once all left)
   * @param localCount this node's connections of one app
   */
  public RedisConnectionCounts(
      RedisConnector redis,
      String prefix,
      String nodeId,
      long nodeTimeoutMillis,
      Supplier<Map<String, Integer>> localCounts,
      ToIntFunction<String> localCount,
      Clock clock) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
    this.nodeId = nodeId;
    this.nodeTimeoutMillis = nodeTimeoutMillis;
    this.localCounts = localCounts;
    this.localCount = localCount;
    this.clock = clock;
  }

  /** Publishes this node's counts every {@code periodSeconds} (the heartbeat period). */
  public void start(Vertx vertx, int periodSeconds) {
    vertx.setPeriodic(periodSeconds * 1000L, timer -> publish());
  }

  /**
   * Writes this node's count of every app with connections, and removes its field of an app whose
   * last connection left since the previous pass. Each written hash lives for the node timeout past
   * its last write, so an app nobody connects to any more leaves nothing behind; fields of nodes
   * that left are removed by the next query. Runs on one timer, one pass at a time.
   */
  Future<Void> publish() {
    if (!redis.isConnected()) {
      return Future.succeededFuture();
    }
    List<Future<?>> writes = new ArrayList<>();
    Set<String> nowPublished = new HashSet<>();
    localCounts
        .get()
        .forEach(
            (appId, count) -> {
              String key = keys.connectionCounts(appId);
              if (count > 0) {
                nowPublished.add(appId);
                writes.add(redis.send(Request.cmd(Command.HSET).arg(key).arg(nodeId).arg(count)));
                writes.add(
                    redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(nodeTimeoutMillis)));
              } else if (published.contains(appId)) {
                writes.add(redis.send(Request.cmd(Command.HDEL).arg(key).arg(nodeId)));
              }
            });
    published = nowPublished;
    return Future.join(writes)
        .onFailure(error -> LOG.log(Level.FINE, "Publishing connection counts failed", error))
        .mapEmpty();
  }

  @Override
  public Future<Integer> connections(String appId) {
    int own = localCount.applyAsInt(appId);
    return COUNT
        .run(
            redis,
            List.of(keys.connectionCounts(appId), keys.nodes()),
            List.of(Long.toString(clock.millis() - nodeTimeoutMillis), nodeId))
        .map(others -> own + others.toInteger());
  }
}
