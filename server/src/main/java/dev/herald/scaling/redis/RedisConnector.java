package dev.herald.scaling.redis;

import dev.herald.config.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Herald's two connections to Redis: one for commands, kept single so that the commands of this
 * node reach Redis in the order they were issued, and one subscribed to the node bus. Both are sent
 * a PING every interval; one that is not answered within the timeout, like a TCP error, counts as
 * losing Redis: a frozen or partitioned Redis sends no error, and without the PING the node would
 * stay "ready" while every command waited forever. Losing Redis closes both connections (failing
 * every command still waiting) and reconnects with exponential back-off; listeners hear when it is
 * back so the node can register its state again.
 *
 * <p>The same holds whatever the {@link RedisTopology}: with Sentinel, each (re)connection asks the
 * sentinels for the current master, so a failover is followed like any other loss (the old master's
 * connections break, the next attempt reaches the promoted replica, and the listeners register this
 * node's state again, which asynchronous replication may have lost); with a Cluster, commands go to
 * the master of their key's slot and the bus is a sharded channel (SSUBSCRIBE) on the master of its
 * slot, which the server tells this node to leave when the slot moves; there the subscription is
 * checked by a probe sent through the bus ({@link #probeBus}) rather than a PING, and each
 * reconnection starts from the next seed, so a silent one is not asked again and again.
 *
 * <p>At most {@link #MAX_PENDING_COMMANDS} commands wait for an answer at once; further ones fail
 * at once, as do commands issued while Redis is lost. Thread-safe.
 */
public final class RedisConnector {
  private static final Logger LOG = Logger.getLogger(RedisConnector.class.getName());
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /**
   * Commands that may wait for Redis's answer on the command connection. Beyond it a command fails
   * at once ("Redis waiting queue is full") instead of queueing memory behind a stalled Redis; a
   * stalled Redis is dropped after the PING timeout anyway, which fails those that wait.
   */
  static final int MAX_PENDING_COMMANDS = 8192;

  /** What {@link #probeBus} publishes; not JSON, so no bus listener could take it for a message. */
  static final String PROBE = "probe";

  private static final byte[] PROBE_BYTES = PROBE.getBytes(StandardCharsets.US_ASCII);

  /**
   * After a reconnect, how long until the other nodes are assumed to be back on the bus too: they
   * retry at most {@link #MAX_BACKOFF_MILLIS} apart, plus time to connect.
   */
  static final long RESUBSCRIBE_GRACE_MILLIS = MAX_BACKOFF_MILLIS + 2_000;

  /**
   * How long the first connection may take: a cold process on a busy machine needs seconds for its
   * first TLS or protocol handshake, and a start that waits is better than one that gives up.
   */
  private static final long START_DEADLINE_MILLIS = 30_000;

  /**
   * One client and the two connections opened through it, closed together, with when each last got
   * an answer from Redis (System.nanoTime).
   */
  private record Generation(
      Redis client,
      RedisConnection commands,
      RedisConnection subscriber,
      AtomicLong commandsAnswered,
      AtomicLong subscriberAnswered) {

    Generation(Redis client, RedisConnection commands, RedisConnection subscriber) {
      this(
          client,
          commands,
          subscriber,
          new AtomicLong(System.nanoTime()),
          new AtomicLong(System.nanoTime()));
    }
  }

  /** When the last reconnect (not the first connect) succeeded; 0 when none has. */
  private volatile long reconnectedAtNanos;

  /** The generation on which every live node was seen subscribed to the bus again; -1 for none. */
  private volatile long confirmedGeneration = -1;

  /**
   * A generation whose bus the {@link NodeMonitor} is counting (Redis kept the node set): it is
   * settled only once confirmed, never by the grace running out.
   */
  private volatile long confirmationRequiredGeneration = -1;

  private final Vertx vertx;
  private final RedisOptions options;
  private final long pingIntervalMillis;
  private final long pingTimeoutMillis;
  private final String busChannel;
  private final boolean sharded;
  private final Consumer<byte[]> busListener;
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong pingFailures = new AtomicLong();
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private volatile Generation current;
  private volatile boolean closed;
  private boolean reconnecting;
  private long backoffMillis = 100;
  private volatile long pingTimer = -1;

  public RedisConnector(
      Vertx vertx,
      RedisTopology topology,
      long pingIntervalMillis,
      long pingTimeoutMillis,
      String busChannel,
      Consumer<byte[]> busListener) {
    this.vertx = vertx;
    this.options = options(topology);
    this.sharded = topology.kind() == RedisTopology.Kind.CLUSTER;
    this.pingIntervalMillis = pingIntervalMillis;
    this.pingTimeoutMillis = pingTimeoutMillis;
    this.busChannel = busChannel;
    this.busListener = busListener;
  }

  /**
   * The client options for a topology. TLS verifies the server's certificate chain (against the CA
   * file, else the JVM's trust store) and that it names the host connected to.
   */
  static RedisOptions options(RedisTopology topology) {
    RedisOptions options =
        new RedisOptions()
            .setEndpoints(new java.util.ArrayList<>(topology.endpoints()))
            .setMaxWaitingHandlers(MAX_PENDING_COMMANDS)
            .setMaxPoolSize(2);
    switch (topology.kind()) {
      case SENTINEL ->
          options
              .setType(RedisClientType.SENTINEL)
              .setRole(RedisRole.MASTER)
              .setMasterName(topology.masterName());
      case CLUSTER -> options.setType(RedisClientType.CLUSTER);
      default -> options.setType(RedisClientType.STANDALONE);
    }
    if (topology.tls()) {
      NetClientOptions net =
          new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      if (topology.caFile() != null) {
        net.setTrustOptions(new PemTrustOptions().addCertPath(topology.caFile()));
      }
      if (topology.certFile() != null) {
        net.setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(topology.certFile())
                .setKeyPath(topology.keyFile()));
      }
      options.setNetClientOptions(net);
    }
    return options;
  }

  /** Runs after every successful reconnection (not the first connection). */
  public void onReconnect(Runnable listener) {
    reconnectListeners.add(listener);
  }

  public boolean isConnected() {
    return current != null;
  }

  /**
   * How many times the connections were (re)established: a command sent under one value and
   * answered under another went over a connection that has been replaced since.
   */
  public long generation() {
    return generations.get();
  }

  /** PINGs that went unanswered within the timeout or failed, since start. */
  public long pingFailures() {
    return pingFailures.get();
  }

  /**
   * Whether a message published now reaches every node that is still up: connected, and past the
   * grace after a reconnect during which other nodes may still be re-subscribing to the bus (a
   * PUBLISH then would miss their clients while Redis reports success).
   */
  public boolean busSettled() {
    // current is read first: install() writes the reconnect time and the generation count before
    // it, so a connection seen here comes with its own reconnect time and count, never the last
    // generation's (which would answer "settled" for a connection whose grace has not begun).
    if (!isConnected()) {
      return false;
    }
    long reconnected = reconnectedAtNanos;
    long generation = generations.get();
    if (reconnected == 0 || confirmedGeneration == generation) {
      return true;
    }
    // With the node set kept, a live node still re-subscribing (it may reconnect later than this
    // one, as after a frozen master) must not be outwaited: only the count of the bus's subscribers
    // settles it. Without the set (Redis restarted empty), the grace is all there is.
    return confirmationRequiredGeneration != generation
        && System.nanoTime() - reconnected > RESUBSCRIBE_GRACE_MILLIS * 1_000_000L;
  }

  /**
   * Ends the grace after a reconnect early: every node known to be alive is subscribed to the bus
   * again on this connection generation (see {@link NodeMonitor}), so waiting longer would refuse
   * events for nothing. A later generation needs its own confirmation.
   */
  void busConfirmed(long generation) {
    confirmedGeneration = generation;
  }

  /**
   * The {@link NodeMonitor} counts this generation's bus subscribers until every live node is
   * there: until {@link #busConfirmed}, the generation is not settled, however long that takes.
   */
  void confirmationRequired(long generation) {
    confirmationRequiredGeneration = generation;
  }

  /** The bus's channel name. */
  String busChannel() {
    return busChannel;
  }

  /** Connects both connections; fails if Redis cannot be reached (or does not answer) now. */
  public Future<Void> start() {
    return connectBoth(START_DEADLINE_MILLIS)
        .recover(error -> Future.failedFuture(reason(error)))
        .map(
            generation -> {
              install(generation, false);
              pingTimer = vertx.setPeriodic(pingIntervalMillis, timer -> ping());
              return (Void) null;
            });
  }

  /** Sends a command on the command connection; fails at once while Redis is lost. */
  public Future<Response> send(Request request) {
    Generation generation = current;
    if (generation == null) {
      return Future.failedFuture("Redis is not reachable");
    }
    return generation
        .commands()
        .send(request)
        .onSuccess(answer -> generation.commandsAnswered().set(System.nanoTime()));
  }

  public Future<Void> close() {
    Generation generation;
    synchronized (this) {
      closed = true;
      generation = current;
      current = null;
    }
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    if (generation != null) {
      generation.client().close();
    }
    return Future.succeededFuture();
  }

  /**
   * Opens a fresh client with its two connections. A Redis that accepts the TCP connection but
   * never answers (frozen) must not hold the attempt forever: it fails after the deadline, and the
   * client it opened is closed whatever state it reached.
   */
  private Future<Generation> connectBoth(long deadlineMillis) {
    Redis client = Redis.createClient(vertx, optionsForAttempt());
    Promise<Generation> attempt = Promise.promise();
    long deadline =
        vertx.setTimer(
            deadlineMillis,
            timer ->
                attempt.tryFail(
                    "no connection ready within " + deadlineMillis + " ms (Redis not answering?)"));
    client
        .connect()
        .compose(
            commands ->
                client
                    .connect()
                    .compose(
                        subscriber -> {
                          Generation generation = new Generation(client, commands, subscriber);
                          watch(generation, commands);
                          watch(generation, subscriber);
                          subscriber.handler(
                              push -> {
                                generation.subscriberAnswered().set(System.nanoTime());
                                onPush(generation, push);
                              });
                          return subscriber
                              .send(
                                  Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE)
                                      .arg(busChannel))
                              .map(generation);
                        }))
        .onComplete(
            result -> {
              vertx.cancelTimer(deadline);
              if (result.succeeded()) {
                attempt.tryComplete(result.result());
              } else {
                attempt.tryFail(result.cause());
              }
            });
    return attempt.future().onFailure(error -> client.close());
  }

  /**
   * The options with the endpoint list rotated by one more place each attempt. The client asks the
   * endpoints (seeds, sentinels) in order and waits on one that accepts connections but never
   * answers (a frozen node); the attempt's deadline ends that wait, and the next attempt starts
   * from the next endpoint instead of the same one.
   */
  private RedisOptions optionsForAttempt() {
    List<String> endpoints = new java.util.ArrayList<>(options.getEndpoints());
    java.util.Collections.rotate(endpoints, -(int) (attempts.getAndIncrement() % endpoints.size()));
    return new RedisOptions(options).setEndpoints(endpoints);
  }

  /**
   * The failure's message followed by its causes' ("Failed to create SSL connection" says little
   * without the certificate problem underneath it).
   */
  static String reason(Throwable error) {
    StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(": ").append(cause.getMessage());
      }
    }
    return text.toString();
  }

  /**
   * Makes a connected generation the current one. What {@link #busSettled} reads with it (the
   * reconnect time, the generation count) is written before {@link #current}: written after, an
   * event accepted in between would be answered 200 while the other nodes may still be
   * re-subscribing, its relay missing their clients.
   */
  private synchronized boolean install(Generation generation, boolean reconnect) {
    if (closed) {
      generation.client().close();
      return false;
    }
    if (reconnect) {
      reconnectedAtNanos = System.nanoTime();
    }
    generations.incrementAndGet();
    backoffMillis = 100;
    current = generation;
    return true;
  }

  private void watch(Generation generation, RedisConnection connection) {
    connection.exceptionHandler(error -> lost(generation, error.getMessage()));
    connection.endHandler(ended -> lost(generation, "connection closed"));
  }

  /**
   * PINGs both connections. One whose PING is not answered within the timeout, and which got no
   * other answer either for that long, is lost: a Redis that is merely busy (the PING waits behind
   * a backlog of commands it is still answering) is not.
   */
  private void ping() {
    Generation generation = current;
    if (generation == null) {
      return;
    }
    ping(generation, generation.commands(), generation.commandsAnswered());
    if (sharded) {
      probeBus(generation);
    } else {
      ping(generation, generation.subscriber(), generation.subscriberAnswered());
    }
  }

  /**
   * On a Cluster the subscriber's own PING proves little: the client routes it by the slot map,
   * which after a failover points at the new master while the subscription still sits on the old
   * one (frozen, or cut off). So this node publishes a probe on the bus every interval and counts
   * the subscription alive while something (a probe, anyone's, or a message) comes back through it;
   * silent for interval + timeout, it is lost.
   */
  private void probeBus(Generation generation) {
    long silentNanos = System.nanoTime() - generation.subscriberAnswered().get();
    long limitMillis = pingIntervalMillis + pingTimeoutMillis;
    if (silentNanos >= TimeUnit.MILLISECONDS.toNanos(limitMillis)) {
      pingFailures.incrementAndGet();
      lost(generation, "the bus brought nothing back within " + limitMillis + " ms");
      return;
    }
    generation
        .commands()
        .send(Request.cmd(Command.SPUBLISH).arg(busChannel).arg(PROBE))
        .onSuccess(answer -> generation.commandsAnswered().set(System.nanoTime()));
  }

  private void ping(Generation generation, RedisConnection connection, AtomicLong answered) {
    connection
        .send(pingRequest())
        .timeout(pingTimeoutMillis, TimeUnit.MILLISECONDS)
        .onSuccess(pong -> answered.set(System.nanoTime()))
        .onFailure(
            error -> {
              pingFailures.incrementAndGet();
              long silentNanos = System.nanoTime() - answered.get();
              if (silentNanos >= TimeUnit.MILLISECONDS.toNanos(pingTimeoutMillis)) {
                lost(
                    generation,
                    "no answer within "
                        + pingTimeoutMillis
                        + " ms ("
                        + (error.getMessage() == null ? error : error.getMessage())
                        + ")");
              }
            });
  }

  /**
   * What proves a connection alive. On a Cluster a PING names no key, so it may go to any node, and
   * so does this count (a channel is not a key to the client, which sends PUBSUB to a random node);
   * it proves that node alive only. The master of the bus's slot, the one a frozen or partitioned
   * master would leave this node deaf to, is watched by {@link #probeBus} instead.
   */
  private Request pingRequest() {
    return sharded
        ? Request.cmd(Command.PUBSUB).arg("SHARDNUMSUB").arg(busChannel)
        : Request.cmd(Command.PING);
  }

  private void onPush(Generation generation, Response push) {
    // Pub/sub pushes arrive as ["message" or "smessage", channel, payload].
    if (push == null
        || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI)
        || push.size() != 3) {
      return;
    }
    String kind = push.get(0).toString();
    if ("message".equals(kind) || "smessage".equals(kind)) {
      byte[] payload = push.get(2).toBytes();
      if (!Arrays.equals(PROBE_BYTES, payload)) {
        busListener.accept(payload);
      }
    } else if ("sunsubscribe".equals(kind)) {
      // A cluster unsubscribes a sharded channel whose slot moved (resharding, failover):
      // reconnecting subscribes again on the slot's new master.
      lost(generation, "the bus's slot moved to another cluster node");
    }
  }

  /** The command that publishes on the bus: sharded on a Cluster, so one shard carries it. */
  Command publishCommand() {
    return sharded ? Command.SPUBLISH : Command.PUBLISH;
  }

  /**
   * Drops the generation (once; later reports about it are ignored) and starts reconnecting.
   * Closing its client fails every command still waiting for an answer.
   */
  private void lost(Generation generation, String reason) {
    synchronized (this) {
      if (closed || generation != current) {
        return;
      }
      current = null;
      LOG.warning("Lost Redis (" + reason + "); serving local clients only until it is back");
      if (reconnecting) {
        return;
      }
      reconnecting = true;
    }
    generation.client().close();
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay;
    synchronized (this) {
      delay = backoffMillis;
      backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }
    vertx.setTimer(
        delay,
        timer -> {
          if (closed) {
            return;
          }
          connectBoth(Math.max(5_000, 2 * pingTimeoutMillis))
              .onSuccess(
                  generation -> {
                    synchronized (this) {
                      reconnecting = false;
                    }
                    if (!install(generation, true)) {
                      return;
                    }
                    LOG.info("Redis is back; registering this node's state again");
                    reconnectListeners.forEach(Runnable::run);
                  })
              .onFailure(error -> scheduleReconnect());
        });
  }
}
