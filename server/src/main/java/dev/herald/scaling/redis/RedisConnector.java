package dev.herald.scaling.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Herald's two connections to Redis: one for commands, kept single so that the commands of this
 * node reach Redis in the order they were issued, and one subscribed to the node bus. Reconnects
 * both with exponential back-off when either drops, and tells listeners when they are back so the
 * node can register its state again. Thread-safe.
 */
public final class RedisConnector {
  private static final Logger LOG = Logger.getLogger(RedisConnector.class.getName());
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /**
   * After a reconnect, how long until the other nodes are assumed to be back on the bus too: they
   * retry at most {@link #MAX_BACKOFF_MILLIS} apart, plus time to connect.
   */
  static final long RESUBSCRIBE_GRACE_MILLIS = MAX_BACKOFF_MILLIS + 2_000;

  /** When the last reconnect (not the first connect) succeeded; 0 when none has. */
  private volatile long reconnectedAtNanos;

  private final Vertx vertx;
  private final Redis client;
  private final String busChannel;
  private final Consumer<String> busListener;
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
  private volatile RedisConnection commands;
  private volatile RedisConnection subscriber;
  private volatile boolean connected;
  private volatile boolean closed;
  private boolean reconnecting;
  private long backoffMillis = 100;

  public RedisConnector(Vertx vertx, String url, String busChannel, Consumer<String> busListener) {
    this.vertx = vertx;
    this.client =
        Redis.createClient(
            vertx, new RedisOptions().setConnectionString(url).setMaxWaitingHandlers(100_000));
    this.busChannel = busChannel;
    this.busListener = busListener;
  }

  /** Runs after every successful reconnection (not the first connection). */
  public void onReconnect(Runnable listener) {
    reconnectListeners.add(listener);
  }

  public boolean isConnected() {
    return connected;
  }

  /**
   * Whether a message published now reaches every node that is still up: connected, and past the
   * grace after a reconnect during which other nodes may still be re-subscribing to the bus (a
   * PUBLISH then would miss their clients while Redis reports success).
   */
  public boolean busSettled() {
    long reconnected = reconnectedAtNanos;
    return connected
        && (reconnected == 0
            || System.nanoTime() - reconnected > RESUBSCRIBE_GRACE_MILLIS * 1_000_000L);
  }

  /** Connects both connections; fails if Redis cannot be reached now. */
  public Future<Void> start() {
    return connectBoth();
  }

  public Future<Response> send(Request request) {
    RedisConnection connection = commands;
    if (!connected || connection == null) {
      return Future.failedFuture("Redis is not reachable");
    }
    return connection.send(request);
  }

  public Future<Void> close() {
    closed = true;
    connected = false;
    RedisConnection c = commands;
    RedisConnection s = subscriber;
    if (c != null) {
      c.close();
    }
    if (s != null) {
      s.close();
    }
    client.close();
    return Future.succeededFuture();
  }

  private Future<Void> connectBoth() {
    return client
        .connect()
        .compose(
            command ->
                client
                    .connect()
                    .compose(
                        sub -> {
                          watch(command);
                          watch(sub);
                          sub.handler(this::onPush);
                          return sub.send(Request.cmd(Command.SUBSCRIBE).arg(busChannel))
                              .map(
                                  ignored -> {
                                    commands = command;
                                    subscriber = sub;
                                    connected = true;
                                    backoffMillis = 100;
                                    return (Void) null;
                                  });
                        }));
  }

  private void watch(RedisConnection connection) {
    connection.exceptionHandler(error -> lost(error.getMessage()));
    connection.endHandler(ended -> lost("connection closed"));
  }

  private void onPush(Response push) {
    // Pub/sub pushes arrive as ["message", channel, payload].
    if (push != null
        && push.type() == ResponseType.PUSH
        && push.size() == 3
        && "message".equals(push.get(0).toString())) {
      busListener.accept(push.get(2).toString());
    } else if (push != null
        && push.type() == ResponseType.MULTI
        && push.size() == 3
        && "message".equals(push.get(0).toString())) {
      busListener.accept(push.get(2).toString());
    }
  }

  private synchronized void lost(String reason) {
    if (closed || reconnecting) {
      return;
    }
    if (connected) {
      LOG.warning("Lost Redis (" + reason + "); serving local clients only until it is back");
    }
    connected = false;
    reconnecting = true;
    RedisConnection c = commands;
    RedisConnection s = subscriber;
    commands = null;
    subscriber = null;
    if (c != null) {
      c.close();
    }
    if (s != null) {
      s.close();
    }
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay = backoffMillis;
    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    vertx.setTimer(
        delay,
        timer -> {
          if (closed) {
            return;
          }
          Promise<Void> attempt = Promise.promise();
          connectBoth().onComplete(attempt);
          attempt
              .future()
              .onSuccess(
                  ignored -> {
                    synchronized (this) {
                      reconnecting = false;
                    }
                    reconnectedAtNanos = System.nanoTime();
                    LOG.info("Redis is back; registering this node's state again");
                    reconnectListeners.forEach(Runnable::run);
                  })
              .onFailure(error -> scheduleReconnect());
        });
  }
}
