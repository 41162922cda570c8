package dev.herald.scaling.redis;

import dev.herald.apps.AppProvider;
import dev.herald.config.ScalingConfig;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.WebhookEvent;
import dev.herald.webhooks.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the cluster's view of nodes honest: heartbeats this node into a sorted set, removes nodes
 * that stopped heartbeating (one survivor claims each dead node with ZREM and announces its
 * members' departures once), and registers this node's state again whenever Redis comes back. Runs
 * on timers; every step is asynchronous.
 */
public final class NodeMonitor {
  private static final Logger LOG = Logger.getLogger(NodeMonitor.class.getName());
  private static final RedisScript CLEANUP = RedisScript.load("cleanup.lua");

  private final Vertx vertx;
  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final ScalingConfig config;
  private final RedisChannelDirectory directory;
  private final RedisOnlineUsers onlineUsers;
  private final Broadcaster broadcaster;
  private final Webhooks webhooks;
  private final AppProvider apps;
  private final Clock clock;

  /**
   * Set once per Redis lifetime by the first node: a different or missing value after a reconnect
   * means Redis lost its state (a restart), not that this node was declared dead.
   */
  private volatile String epoch;

  public NodeMonitor(
      Vertx vertx,
      RedisConnector redis,
      String nodeId,
      ScalingConfig config,
      RedisChannelDirectory directory,
      RedisOnlineUsers onlineUsers,
      Broadcaster broadcaster,
      Webhooks webhooks,
      AppProvider apps,
      Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = new RedisKeys(config.prefix());
    this.nodeId = nodeId;
    this.config = config;
    this.directory = directory;
    this.onlineUsers = onlineUsers;
    this.broadcaster = broadcaster;
    this.webhooks = webhooks;
    this.apps = apps;
    this.clock = clock;
  }

  public Future<Void> start() {
    redis.onReconnect(this::reRegister);
    long period = config.heartbeatSeconds() * 1000L;
    vertx.setPeriodic(
        period,
        timer -> {
          if (redis.isConnected()) {
            heartbeat().onSuccess(ignored -> sweep());
          }
        });
    return readEpoch().onSuccess(value -> epoch = value).compose(ignored -> heartbeat()).mapEmpty();
  }

  private String epochKey() {
    return keys.prefix() + "epoch";
  }

  /** Sets the epoch if Redis has none, then reads it. */
  private Future<String> readEpoch() {
    return redis
        .send(
            Request.cmd(Command.SET)
                .arg(epochKey())
                .arg(java.util.UUID.randomUUID().toString())
                .arg("NX"))
        .compose(ignored -> redis.send(Request.cmd(Command.GET).arg(epochKey())))
        .map(value -> value == null ? null : value.toString());
  }

  /** Leaves the cluster cleanly: the others need not wait for the timeout. */
  public Future<Void> stop() {
    if (!redis.isConnected()) {
      return Future.succeededFuture();
    }
    return redis
        .send(Request.cmd(Command.ZREM).arg(keys.nodes()).arg(nodeId))
        .compose(ignored -> cleanUp(nodeId))
        .mapEmpty();
  }

  private Future<Response> heartbeat() {
    return redis.send(Request.cmd(Command.ZADD).arg(keys.nodes()).arg(clock.millis()).arg(nodeId));
  }

  private void sweep() {
    long deadline = clock.millis() - config.nodeTimeoutSeconds() * 1000L;
    redis
        .send(
            Request.cmd(Command.ZRANGE).arg(keys.nodes()).arg("-inf").arg(deadline).arg("BYSCORE"))
        .onSuccess(
            dead -> {
              for (int i = 0; i < dead.size(); i++) {
                String node = dead.get(i).toString();
                if (node.equals(nodeId)) {
                  continue;
                }
                // Only the survivor whose ZREM removes the node cleans up after it.
                redis
                    .send(Request.cmd(Command.ZREM).arg(keys.nodes()).arg(node))
                    .onSuccess(
                        removed -> {
                          if (removed.toInteger() == 1) {
                            LOG.warning(
                                "Node " + node + " stopped heartbeating; removing its connections");
                            cleanUp(node);
                          }
                        });
              }
            })
        .onFailure(error -> LOG.log(Level.FINE, "Node sweep failed", error));
  }

  private Future<Void> cleanUp(String node) {
    return CLEANUP
        .run(redis, List.of(keys.nodeEntries(node), keys.nodeUsers(node)), List.of(keys.prefix()))
        .onSuccess(this::announce)
        .onFailure(
            error -> LOG.log(Level.WARNING, "Cleaning up after node " + node + " failed", error))
        .mapEmpty();
  }

  /**
   * Sends member_removed, offline notices and webhooks for what a dead node's departure changed.
   */
  private void announce(Response changes) {
    int i = 0;
    while (i < changes.size()) {
      String kind = changes.get(i).toString();
      if (kind.equals("c")) {
        String appId = changes.get(i + 1).toString();
        String channel = changes.get(i + 2).toString();
        boolean vacated = changes.get(i + 3).toInteger() == 1;
        boolean removed = changes.get(i + 4).toInteger() == 1;
        String user = changes.get(i + 5).toString();
        long version = changes.get(i + 6).toLong();
        if (removed) {
          broadcaster.publishMembership(
              appId, channel, ServerFrames.memberRemoved(channel, user), null, version);
        }
        apps.findById(appId)
            .onSuccess(
                app ->
                    app.ifPresent(
                        config -> {
                          if (removed) {
                            webhooks.emit(config, WebhookEvent.memberRemoved(channel, user));
                          }
                          if (vacated) {
                            webhooks.emit(config, WebhookEvent.channelVacated(channel));
                          }
                        }));
        i += 7;
      } else {
        String appId = changes.get(i + 1).toString();
        String user = changes.get(i + 2).toString();
        long version = changes.get(i + 3).toLong();
        broadcaster.publishMembership(
            appId,
            ChannelName.WATCHLIST_PREFIX + user,
            ServerFrames.watchlistEvents(List.of(), List.of(user)),
            null,
            version);
        i += 4;
      }
    }
  }

  /**
   * After a reconnection: registers this node's subscriptions and signed-in users again. If Redis
   * restarted (new epoch), every node does the same and no client saw anyone leave, so nothing is
   * announced. If Redis kept its state, a re-added member means a survivor had declared this node
   * dead and announced member_removed: the other nodes are told the member is back (this node's own
   * clients never saw it leave).
   */
  private void reRegister() {
    String known = epoch;
    readEpoch()
        .onSuccess(
            current -> {
              epoch = current;
              boolean redisRestarted = known == null || !known.equals(current);
              heartbeat();
              replaySubscriptions(!redisRestarted);
              replayUsers(!redisRestarted);
            })
        .onFailure(error -> LOG.log(Level.WARNING, "Reading the cluster epoch failed", error));
  }

  private void replaySubscriptions(boolean announce) {
    directory
        .reRegister()
        .onSuccess(
            replays ->
                replays.forEach(
                    replay -> {
                      if (announce && replay.join().memberAdded()) {
                        broadcaster.publishMembershipToOtherNodes(
                            replay.appId(),
                            replay.channel(),
                            ServerFrames.memberAdded(replay.channel(), replay.member()),
                            replay.join().membershipVersion());
                      }
                    }))
        .onFailure(
            error -> LOG.log(Level.WARNING, "Registering subscriptions again failed", error));
  }

  private void replayUsers(boolean announce) {
    onlineUsers
        .reRegister()
        .onSuccess(
            cameOnline ->
                cameOnline.forEach(
                    user -> {
                      if (announce) {
                        broadcaster.publishMembershipToOtherNodes(
                            user[0],
                            ChannelName.WATCHLIST_PREFIX + user[1],
                            ServerFrames.watchlistEvents(List.of(user[1]), List.of()),
                            Long.parseLong(user[2]));
                      }
                    }))
        .onFailure(
            error -> LOG.log(Level.WARNING, "Registering signed-in users again failed", error));
  }
}
