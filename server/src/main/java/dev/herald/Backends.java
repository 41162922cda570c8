package dev.herald;

import dev.herald.channels.LocalChannelCache;
import dev.herald.channels.LocalChannelDirectory;
import dev.herald.channels.LocalOnlineUsers;
import dev.herald.channels.NodeChannels;
import dev.herald.config.ScalingConfig;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.ConnectionCounts;
import dev.herald.scaling.LocalAdapter;
import dev.herald.scaling.redis.RedisAdapter;
import dev.herald.scaling.redis.RedisBatchStore;
import dev.herald.scaling.redis.RedisChannelCache;
import dev.herald.scaling.redis.RedisChannelDirectory;
import dev.herald.scaling.redis.RedisConnectionCounts;
import dev.herald.scaling.redis.RedisConnector;
import dev.herald.scaling.redis.RedisOnlineUsers;
import dev.herald.webhooks.BatchStore;
import dev.herald.webhooks.MemoryBatchStore;
import dev.herald.websocket.ConnectionRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The local-or-Redis choice, made once: everything that differs between a single node in memory and
 * a node of a Redis cluster. The rest of the wiring uses these parts without asking which.
 *
 * @param localAdapter this node's event loops, which the verticles register with
 * @param broadcaster publishes to this node's loops, and to the other nodes when there are any
 * @param channels the channel directory, online users and cache channels' last events
 * @param connectionCounts each app's open connections for the HTTP API: this node's, or the
 *     cluster's
 * @param batchStore where undelivered webhook batches wait
 * @param cluster what runs beside the loops (cache sweeps; or Redis and the node monitor)
 */
record Backends(
    LocalAdapter localAdapter,
    Broadcaster broadcaster,
    NodeChannels channels,
    ConnectionCounts connectionCounts,
    BatchStore batchStore,
    Cluster cluster) {

  /**
   * @param registry this node's connections, which the connection counts report
   */
  static Backends choose(
      Vertx vertx, ScalingConfig scaling, String nodeId, Clock clock, ConnectionRegistry registry) {
    return scaling.enabled()
        ? redis(vertx, scaling, nodeId, clock, registry)
        : local(vertx, clock, registry);
  }

  /** A single node: state in memory. */
  static Backends local(Vertx vertx, Clock clock, ConnectionRegistry registry) {
    LocalAdapter localAdapter = new LocalAdapter();
    LocalChannelCache cache = new LocalChannelCache(clock);
    return new Backends(
        localAdapter,
        new Broadcaster(localAdapter),
        new NodeChannels(new LocalChannelDirectory(), new LocalOnlineUsers(), cache),
        appId -> Future.succeededFuture(registry.connectionCount(appId)),
        new MemoryBatchStore(),
        new LocalCluster(vertx, cache));
  }

  /** One node of a cluster sharing its state through Redis. */
  static Backends redis(
      Vertx vertx, ScalingConfig scaling, String nodeId, Clock clock, ConnectionRegistry registry) {
    LocalAdapter localAdapter = new LocalAdapter();
    String bus = scaling.prefix() + "bus";
    RedisAdapter adapter = new RedisAdapter(localAdapter, nodeId, bus);
    RedisConnector redis =
        new RedisConnector(
            vertx,
            scaling.redis(),
            scaling.pingIntervalMillis(),
            scaling.pingTimeoutMillis(),
            bus,
            adapter::onBusMessage);
    adapter.attach(redis);
    Broadcaster broadcaster = new Broadcaster(adapter);
    RedisChannelDirectory directory = new RedisChannelDirectory(redis, scaling.prefix(), nodeId);
    RedisOnlineUsers onlineUsers = new RedisOnlineUsers(redis, scaling.prefix(), nodeId);
    RedisConnectionCounts connectionCounts =
        new RedisConnectionCounts(
            redis,
            scaling.prefix(),
            nodeId,
            scaling.nodeTimeoutSeconds() * 1000L,
            registry::connectionCounts,
            registry::connectionCount,
            clock);
    return new Backends(
        localAdapter,
        broadcaster,
        new NodeChannels(
            directory, onlineUsers, new RedisChannelCache(redis, scaling.prefix(), clock)),
        connectionCounts,
        new RedisBatchStore(redis, scaling.prefix(), nodeId, scaling.nodeTimeoutSeconds() * 1000L),
        new RedisCluster(
            vertx,
            scaling,
            nodeId,
            clock,
            redis,
            adapter,
            new RedisCluster.State(directory, onlineUsers, connectionCounts)));
  }
}
