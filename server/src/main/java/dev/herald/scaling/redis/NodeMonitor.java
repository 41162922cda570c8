package dev.herald.scaling.redis;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.config.ScalingConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the cluster's view of nodes honest: heartbeats this node into a sorted set; claims nodes
 * that stopped heartbeating (one survivor claims each, moving its records aside as a grave in one
 * O(1) step) and empties their graves {@link #CLEANUP_BATCH} connections per script call,
 * announcing the departures once; registers this node's state again whenever Redis comes back or
 * this node finds it was declared dead (paused past the timeout while Redis kept running); and
 * removes from Redis what this node could not remove during an outage. Runs on timers; every step
 * is asynchronous. Thread-safe.
 */
public final class NodeMonitor {
  private static final Logger LOG = Logger.getLogger(NodeMonitor.class.getName());
  private static final RedisScript CLAIM = RedisScript.load("claim.lua");
  private static final RedisScript CLEANUP = RedisScript.load("cleanup_batch.lua");

  /**
   * Dead connections removed per script call: each call is short, so one large node's cleanup does
   * not stall Redis for every other node.
   */
  static final int CLEANUP_BATCH = 100;

  /**
   * How often after a reconnect the bus's subscribers are counted, until every live node is on it.
   */
  static final long BUS_CHECK_MILLIS = 200;

  private final Vertx vertx;
  private final RedisConnector redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final ScalingConfig config;
  private final RedisChannelDirectory directory;
  private final RedisOnlineUsers onlineUsers;
  private final MemberEvents members;
  private final AppProvider apps;
  private final Clock clock;

  /**
   * Set once per Redis lifetime by the first node: a different or missing value after a reconnect
   * means Redis lost its state (a restart), not that this node was declared dead.
   */
  private volatile String epoch;

  /** The connector generation whose state this node has registered (see {@link #tick}). */
  private volatile long registeredGeneration;

  private final AtomicLong heartbeatFailures = new AtomicLong();
  private final AtomicBoolean emptyingGraves = new AtomicBoolean();
  private final AtomicBoolean reconciling = new AtomicBoolean();

  /** Set when this node registers again: what it could not remove meanwhile is removed next. */
  private final AtomicBoolean reconcileDue = new AtomicBoolean();

  public NodeMonitor(
      Vertx vertx,
      RedisConnector redis,
      String nodeId,
      ScalingConfig config,
      RedisChannelDirectory directory,
      RedisOnlineUsers onlineUsers,
      MemberEvents members,
      AppProvider apps,
      Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = new RedisKeys(config.prefix());
    this.nodeId = nodeId;
    this.config = config;
    this.directory = directory;
    this.onlineUsers = onlineUsers;
    this.members = members;
    this.apps = apps;
    this.clock = clock;
  }

  public Future<Void> start() {
    redis.onReconnect(
        () -> {
          registeredGeneration = redis.generation();
          reRegister();
        });
    registeredGeneration = redis.generation();
    vertx.setPeriodic(config.heartbeatSeconds() * 1000L, timer -> tick());
    return readEpoch().onSuccess(value -> epoch = value).compose(ignored -> heartbeat()).mapEmpty();
  }

  /** Heartbeats that could not be written to Redis (unreachable, or the write failed). */
  public long heartbeatFailures() {
    return heartbeatFailures.get();
  }

  /**
   * One heartbeat, then the sweep. A heartbeat that adds this node to the set (rather than updating
   * it) on the connection its state was registered over means a survivor declared it dead while
   * Redis kept running (the process was paused past the timeout): its records were moved to a
   * grave, so it registers them again.
   */
  private void tick() {
    if (!redis.isConnected()) {
      heartbeatFailures.incrementAndGet();
      return;
    }
    long generation = redis.generation();
    heartbeat()
        .onFailure(error -> heartbeatFailures.incrementAndGet())
        .onSuccess(
            added -> {
              if (added != null
                  && added.toInteger() == 1
                  && generation == redis.generation()
                  && generation == registeredGeneration) {
                LOG.warning(
                    "This node was declared dead (paused longer than the node timeout?);"
                        + " registering its connections again");
                reRegister();
              }
              // Announced departures must reach every node's clients: not before the other nodes
              // are back on the bus after a reconnect.
              boolean due =
                  reconcileDue.get()
                      || directory.mayHoldStaleEntries()
                      || onlineUsers.mayHoldStaleEntries();
              if (due && redis.busSettled()) {
                reconcile();
              }
              sweep();
            });
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

  /**
   * After a reconnect to a Redis that kept its state (a failover, a dropped connection), counts the
   * bus's subscribers until there are as many as live nodes (heartbeat within the node timeout),
   * then tells the connector the bus reaches them all. Until then the connector refuses events
   * (503), however long it takes: a live node that reconnects later than this one (after a frozen
   * master, each node gives up on it at its own moment) would otherwise miss events this node
   * accepted. A node that died stops counting once its heartbeat is older than the node timeout.
   * After a restart that lost the node set, the connector's grace decides instead.
   */
  private void confirmBus(long generation) {
    if (generation != redis.generation() || !redis.isConnected()) {
      return; // a later generation has its own count
    }
    // The bus's subscribers are counted by publishing the probe on it: its answer is the number of
    // connections it reached, on the server that relays the bus. PUBSUB (SHARD)NUMSUB names no key,
    // so a Cluster client sends it to any node, whose own count says nothing about the bus's slot.
    Future<Response> subscribers =
        redis.send(
            Request.cmd(redis.publishCommand()).arg(redis.busChannel()).arg(RedisConnector.PROBE));
    // Live nodes: those that heartbeated within the node timeout. A node that died is left out once
    // its heartbeat is that old (the sweep claims it then too), so it cannot hold the bus shut.
    long liveSince = clock.millis() - config.nodeTimeoutSeconds() * 1000L;
    Future<Response> nodes =
        redis.send(Request.cmd(Command.ZCOUNT).arg(keys.nodes()).arg(liveSince).arg("+inf"));
    Future.all(subscribers, nodes)
        .onComplete(
            counted -> {
              if (counted.succeeded()
                  && subscribers.result().toLong() >= Math.max(1, nodes.result().toLong())) {
                redis.busConfirmed(generation);
                LOG.info("Every live node is back on the bus; relaying events again");
              } else {
                vertx.setTimer(BUS_CHECK_MILLIS, timer -> confirmBus(generation));
              }
            });
  }

  /** Leaves the cluster cleanly: the others need not wait for the timeout. */
  public Future<Void> stop() {
    if (!redis.isConnected()) {
      return Future.succeededFuture();
    }
    return claim(nodeId, Long.MAX_VALUE)
        .compose(grave -> grave == null ? Future.succeededFuture() : emptyGrave(grave))
        .mapEmpty();
  }

  /** ZADD: 1 when this node was not in the set. */
  private Future<Response> heartbeat() {
    return redis.send(Request.cmd(Command.ZADD).arg(keys.nodes()).arg(clock.millis()).arg(nodeId));
  }

  /** Claims every other node whose heartbeat expired, then empties the graves. */
  private void sweep() {
    long deadline = clock.millis() - config.nodeTimeoutSeconds() * 1000L;
    redis
        .send(
            Request.cmd(Command.ZRANGE).arg(keys.nodes()).arg("-inf").arg(deadline).arg("BYSCORE"))
        .compose(
            dead -> {
              List<Future<String>> claims = new ArrayList<>();
              for (Response node : dead) {
                if (!node.toString().equals(nodeId)) {
                  claims.add(claim(node.toString(), deadline));
                }
              }
              return Future.join(new ArrayList<>(claims));
            })
        .onComplete(ignored -> emptyGraves())
        .onFailure(error -> LOG.log(Level.FINE, "Node sweep failed", error));
  }

  /**
   * Claims the node if its heartbeat is still at or before the deadline; only the survivor whose
   * call removes it from the set gets its grave (the others get null).
   */
  private Future<String> claim(String node, long deadline) {
    return CLAIM
        .run(
            redis,
            List.of(
                keys.nodes(),
                keys.nodeEntries(node),
                keys.nodeUsers(node),
                keys.graves(),
                keys.graveSequence()),
            List.of(node, Long.toString(deadline), keys.graveBase(node)))
        .map(
            grave -> {
              if (grave == null || grave.type() != ResponseType.BULK) {
                return null;
              }
              if (!node.equals(nodeId)) {
                LOG.warning("Node " + node + " stopped heartbeating; removing its connections");
              }
              return grave.toString();
            });
  }

  /**
   * Empties every grave, one batch at a time; graves left by a survivor that died meanwhile are
   * finished by whoever sweeps next. One pass at a time on this node.
   */
  private void emptyGraves() {
    if (!redis.isConnected() || !emptyingGraves.compareAndSet(false, true)) {
      return;
    }
    redis
        .send(Request.cmd(Command.SMEMBERS).arg(keys.graves()))
        .compose(
            graves -> {
              Future<Void> chain = Future.succeededFuture();
              for (Response grave : graves) {
                chain = chain.compose(ignored -> emptyGrave(grave.toString()));
              }
              return chain;
            })
        .onFailure(
            error -> LOG.log(Level.WARNING, "Removing dead nodes' connections failed", error))
        .onComplete(ignored -> emptyingGraves.set(false));
  }

  private Future<Void> emptyGrave(String grave) {
    String node = keys.graveNode(grave);
    return CLEANUP
        .run(
            redis,
            List.of(
                grave + ":subs",
                grave + ":users",
                keys.nodeEntries(node),
                keys.nodeUsers(node),
                keys.graves()),
            List.of(keys.prefix(), Integer.toString(CLEANUP_BATCH), grave))
        .compose(
            changes -> {
              announce(changes);
              return changes.get(0).toLong() > 0 ? emptyGrave(grave) : Future.succeededFuture();
            });
  }

  /**
   * Sends member_removed, offline notices and webhooks for what a cleanup batch changed (its first
   * element is the count left).
   */
  private void announce(Response changes) {
    List<RedisChannelDirectory.Departure> departures = new ArrayList<>();
    int i = 1;
    while (i < changes.size()) {
      String kind = changes.get(i).toString();
      if (kind.equals("c")) {
        departures.add(
            new RedisChannelDirectory.Departure(
                changes.get(i + 1).toString(),
                changes.get(i + 2).toString(),
                changes.get(i + 5).toString(),
                changes.get(i + 3).toInteger() == 1,
                changes.get(i + 4).toInteger() == 1,
                changes.get(i + 6).toLong()));
        i += 7;
      } else {
        announceOffline(
            changes.get(i + 1).toString(),
            changes.get(i + 2).toString(),
            changes.get(i + 3).toLong());
        i += 4;
      }
    }
    announce(departures);
  }

  private void announce(List<RedisChannelDirectory.Departure> departures) {
    for (RedisChannelDirectory.Departure departure : departures) {
      String appId = departure.appId();
      String channel = departure.channel();
      String user = departure.user();
      if (departure.memberRemoved()) {
        members.announceRemoved(appId, channel, user, departure.membershipVersion());
      }
      apps.findById(appId)
          .onSuccess(
              app ->
                  app.ifPresent(
                      config ->
                          members.departed(
                              config,
                              channel,
                              user,
                              departure.memberRemoved(),
                              departure.vacated())));
    }
  }

  private void announceOffline(String appId, String user, long version) {
    members.userOffline(appId, user, version);
  }

  /**
   * Removes from Redis the connections this node no longer has but could not remove while Redis was
   * unreachable, and announces what that changed. One pass at a time.
   */
  private void reconcile() {
    if (!reconciling.compareAndSet(false, true)) {
      return;
    }
    reconcileDue.set(false);
    Future<List<RedisChannelDirectory.Departure>> channels =
        directory.reconcile().onSuccess(this::announce);
    Future<List<String[]>> users =
        onlineUsers
            .reconcile()
            .onSuccess(
                offline ->
                    offline.forEach(
                        user -> announceOffline(user[0], user[1], Long.parseLong(user[2]))));
    Future.join(channels, users)
        .onFailure(
            error -> {
              reconcileDue.set(true);
              LOG.log(Level.WARNING, "Removing connections left in Redis failed", error);
            })
        .onComplete(ignored -> reconciling.set(false));
  }

  /**
   * Registers this node's subscriptions and signed-in users again, after a reconnection or after
   * finding it was declared dead, and removes what it could not remove meanwhile. If Redis
   * restarted (new epoch), every node does the same and no client saw anyone leave, so nothing is
   * announced. If Redis kept its state, a re-added member means a survivor had declared this node
   * dead and announced member_removed: every node is told the member is back, this one's clients
   * included. Whether they heard the departure depends on whether this node's bus connection was up
   * when it was announced (a paused node's was; one cut off from Redis may not have been), which
   * this node cannot know; a member_added for a member they still list is harmless, a missing one
   * would leave the member out of their list.
   */
  private void reRegister() {
    String known = epoch;
    readEpoch()
        .onSuccess(
            current -> {
              epoch = current;
              boolean redisRestarted = known == null || !known.equals(current);
              heartbeat();
              reconcileDue.set(true);
              replaySubscriptions(!redisRestarted);
              replayUsers(!redisRestarted);
              if (!redisRestarted) {
                long generation = redis.generation();
                redis.confirmationRequired(generation);
                confirmBus(generation);
              }
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
                      if (announce) {
                        announceReturn(replay);
                      }
                    }))
        .onFailure(
            error -> LOG.log(Level.WARNING, "Registering subscriptions again failed", error));
  }

  /**
   * What a replayed subscription changed, once a survivor had announced its departure: the member
   * is back (member_added, and the webhook), the channel occupied again (the webhook).
   */
  private void announceReturn(RedisChannelDirectory.Replayed replay) {
    String appId = replay.appId();
    String channel = replay.channel();
    if (replay.join().memberAdded()) {
      members.announceAdded(
          appId, channel, replay.member(), null, replay.join().membershipVersion());
    }
    if (replay.join().memberAdded() || replay.join().channelOccupied()) {
      apps.findById(appId)
          .onSuccess(
              app ->
                  app.ifPresent(
                      config ->
                          members.arrived(
                              config,
                              channel,
                              replay.member() == null ? null : replay.member().userId(),
                              replay.join().channelOccupied(),
                              replay.join().memberAdded())));
    }
  }

  private void replayUsers(boolean announce) {
    onlineUsers
        .reRegister()
        .onSuccess(
            cameOnline ->
                cameOnline.forEach(
                    user -> {
                      if (announce) {
                        members.userOnline(user[0], user[1], Long.parseLong(user[2]));
                      }
                    }))
        .onFailure(
            error -> LOG.log(Level.WARNING, "Registering signed-in users again failed", error));
  }
}
