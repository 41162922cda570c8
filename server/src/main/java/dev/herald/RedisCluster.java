package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.config.ScalingConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.scaling.redis.NodeMonitor;
import dev.herald.scaling.redis.RedisAdapter;
import dev.herald.scaling.redis.RedisChannelDirectory;
import dev.herald.scaling.redis.RedisConnectionCounts;
import dev.herald.scaling.redis.RedisConnector;
import dev.herald.scaling.redis.RedisOnlineUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * One node of a Redis cluster: connects to Redis, then heartbeats and watches the other nodes
 * through a {@link NodeMonitor}, which exists from {@link #start} on, and publishes this node's
 * connection counts every heartbeat period. Thread-safe.
 */
final class RedisCluster implements Cluster {
  /** The node's records in Redis that the monitor keeps and the heartbeat republishes. */
  record State(
      RedisChannelDirectory directory,
      RedisOnlineUsers onlineUsers,
      RedisConnectionCounts connectionCounts) {}

  private final Vertx vertx;
  private final ScalingConfig scaling;
  private final String nodeId;
  private final Clock clock;
  private final RedisConnector redis;
  private final RedisAdapter adapter;
  private final State state;

  /** Null until {@link #start}; the dead-node cleanup needs the apps and the webhooks. */
  private volatile NodeMonitor monitor;

  RedisCluster(
      Vertx vertx,
      ScalingConfig scaling,
      String nodeId,
      Clock clock,
      RedisConnector redis,
      RedisAdapter adapter,
      State state) {
    this.vertx = vertx;
    this.scaling = scaling;
    this.nodeId = nodeId;
    this.clock = clock;
    this.redis = redis;
    this.adapter = adapter;
    this.state = state;
  }

  @Override
  public Future<Void> start(AppProvider apps, MemberEvents members) {
    NodeMonitor started =
        new NodeMonitor(
            vertx,
            redis,
            nodeId,
            scaling,
            state.directory(),
            state.onlineUsers(),
            members,
            apps,
            clock);
    monitor = started;
    return redis
        .start()
        .recover(
            error ->
                Future.failedFuture(
                    "cannot reach Redis at "
                        + scaling.redis().describe()
                        + ": "
                        + error.getMessage()))
        .compose(ignored -> started.start())
        .onSuccess(ignored -> state.connectionCounts().start(vertx, scaling.heartbeatSeconds()));
  }

  @Override
  public Future<Void> leave() {
    NodeMonitor current = monitor;
    return current == null ? Future.succeededFuture() : current.stop();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  @Override
  public String notReadyReason() {
    return redis.isConnected() ? null : "Redis is unreachable";
  }

  @Override
  public void registerStatistics(HeraldMetrics metrics) {
    metrics.functionCounter(
        "redis.published", "Messages published on the cluster bus", adapter, a -> a.published());
    metrics.functionCounter(
        "redis.received", "Messages received from other nodes", adapter, a -> a.received());
    metrics.functionCounter(
        "redis.lost",
        "Messages not published because Redis was unreachable",
        adapter,
        a -> a.lost());
    metrics.gauge(
        "redis.connected", "1 while Redis is reachable", () -> redis.isConnected() ? 1 : 0);
    metrics.functionCounter(
        "redis.ping.failures",
        "PINGs to Redis that failed or went unanswered within the timeout (Redis then counts as"
            + " lost)",
        redis,
        r -> r.pingFailures());
    metrics.functionCounter(
        "redis.heartbeat.failures",
        "Node heartbeats that could not be written to Redis",
        this,
        cluster -> cluster.monitor == null ? 0 : cluster.monitor.heartbeatFailures());
  }
}
