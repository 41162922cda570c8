package dev.herald.scaling.redis;

import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.BroadcastAdapter;
import dev.herald.scaling.Envelope;
import dev.herald.scaling.LocalAdapter;
import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fan-out across nodes: delivers to this node's subscribers at once through the {@link
 * LocalAdapter}, and publishes the envelope once on the cluster's Redis bus for the other nodes,
 * which deliver it to theirs. A node ignores its own messages, so each subscriber gets an event
 * exactly once. While Redis is unreachable the HTTP API refuses events (503); client and member
 * events are still delivered locally, and their cross-node messages are counted as lost.
 * Thread-safe.
 */
public final class RedisAdapter implements BroadcastAdapter {
  private static final Logger LOG = Logger.getLogger(RedisAdapter.class.getName());
  private static final long PUBLISH_TIMEOUT_SECONDS = 5;

  private final LocalAdapter local;
  private final String nodeId;
  private final String busChannel;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private volatile RedisConnector redis;

  public RedisAdapter(LocalAdapter local, String nodeId, String busChannel) {
    this.local = local;
    this.nodeId = nodeId;
    this.busChannel = busChannel;
  }

  /** Connects the adapter to the Redis connection whose bus messages it receives. */
  public void attach(RedisConnector redis) {
    this.redis = redis;
  }

  @Override
  public void publish(Envelope envelope) {
    local.publish(envelope);
    publishToOtherNodes(envelope);
  }

  @Override
  public Future<Void> publishAcknowledged(Envelope envelope) {
    local.publish(envelope);
    return send(BusMessage.Event.of(nodeId, envelope));
  }

  @Override
  public void publishToOtherNodes(Envelope envelope) {
    send(BusMessage.Event.of(nodeId, envelope));
  }

  @Override
  public void closeUser(String appId, String userId, ErrorCode code, String reason) {
    local.closeUser(appId, userId, code, reason);
    send(new BusMessage.CloseUser(nodeId, appId, userId, code, reason));
  }

  @Override
  public void closeApp(String appId, ErrorCode code, String reason) {
    local.closeApp(appId, code, reason);
    send(new BusMessage.CloseApp(nodeId, appId, code, reason));
  }

  @Override
  public boolean reachesEveryNode() {
    RedisConnector connector = redis;
    return connector != null && connector.busSettled();
  }

  public long published() {
    return published.get();
  }

  public long received() {
    return received.get();
  }

  public long lost() {
    return lost.get();
  }

  /**
   * Publishes on the bus; the future fails when Redis is unreachable or does not answer within
   * {@link #PUBLISH_TIMEOUT_SECONDS} (a partition), and the message then counts as lost.
   */
  private Future<Void> send(BusMessage message) {
    RedisConnector connector = redis;
    if (connector == null || !connector.isConnected()) {
      lost.incrementAndGet();
      return Future.failedFuture("Redis is unreachable");
    }
    byte[] bytes = message.encode();
    return connector
        .send(Request.cmd(connector.publishCommand()).arg(busChannel).arg(bytes))
        .timeout(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .onSuccess(ignored -> published.incrementAndGet())
        .onFailure(error -> lost.incrementAndGet())
        .mapEmpty();
  }

  /** A message from the bus: delivered to this node's connections unless this node sent it. */
  public void onBusMessage(byte[] bytes) {
    BusMessage message;
    try {
      message = BusMessage.decode(bytes);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, "Ignoring a malformed bus message", e);
      return;
    }
    if (nodeId.equals(message.node())) {
      return;
    }
    received.incrementAndGet();
    if (message instanceof BusMessage.Event event) {
      local.publish(
          new Envelope(
              event.appId(),
              event.channel(),
              event.frame(),
              event.excludeSocketId(),
              event.membershipVersion()));
    } else if (message instanceof BusMessage.CloseUser close) {
      local.closeUser(close.appId(), close.userId(), close.code(), close.reason());
    } else if (message instanceof BusMessage.CloseApp close) {
      local.closeApp(close.appId(), close.code(), close.reason());
    }
  }
}
