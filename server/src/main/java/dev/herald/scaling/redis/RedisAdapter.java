package dev.herald.scaling.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.channels.OutboundFrame;
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
  private static final ObjectMapper MAPPER = new ObjectMapper();
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
    return send(eventMessage(envelope));
  }

  @Override
  public void publishToOtherNodes(Envelope envelope) {
    send(eventMessage(envelope));
  }

  private ObjectNode eventMessage(Envelope envelope) {
    ObjectNode message = message("event", envelope.appId());
    message.put("channel", envelope.channel());
    if (envelope.excludeSocketId() != null) {
      message.put("exclude", envelope.excludeSocketId());
    }
    if (envelope.membershipVersion() != 0) {
      message.put("version", envelope.membershipVersion());
    }
    message.put("frame", envelope.frame().toString());
    return message;
  }

  @Override
  public void closeUser(String appId, String userId, ErrorCode code, String reason) {
    local.closeUser(appId, userId, code, reason);
    ObjectNode message = message("close-user", appId);
    message.put("user", userId);
    message.put("code", code.name());
    message.put("reason", reason);
    send(message);
  }

  @Override
  public void closeApp(String appId, ErrorCode code, String reason) {
    local.closeApp(appId, code, reason);
    ObjectNode message = message("close-app", appId);
    message.put("code", code.name());
    message.put("reason", reason);
    send(message);
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

  private ObjectNode message(String type, String appId) {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("node", nodeId);
    message.put("type", type);
    message.put("app", appId);
    return message;
  }

  /**
   * Publishes on the bus; the future fails when Redis is unreachable or does not answer within
   * {@link #PUBLISH_TIMEOUT_SECONDS} (a partition), and the message then counts as lost.
   */
  private Future<Void> send(ObjectNode message) {
    RedisConnector connector = redis;
    if (connector == null || !connector.isConnected()) {
      lost.incrementAndGet();
      return Future.failedFuture("Redis is unreachable");
    }
    String text;
    try {
      text = MAPPER.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return connector
        .send(Request.cmd(connector.publishCommand()).arg(busChannel).arg(text))
        .timeout(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .onSuccess(ignored -> published.incrementAndGet())
        .onFailure(error -> lost.incrementAndGet())
        .mapEmpty();
  }

  /** A message from the bus: delivered to this node's connections unless this node sent it. */
  public void onBusMessage(String text) {
    JsonNode message;
    try {
      message = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      LOG.log(Level.WARNING, "Ignoring a malformed bus message", e);
      return;
    }
    if (nodeId.equals(message.path("node").asText())) {
      return;
    }
    received.incrementAndGet();
    String appId = message.path("app").asText();
    switch (message.path("type").asText()) {
      case "event" ->
          local.publish(
              new Envelope(
                  appId,
                  message.path("channel").asText(),
                  OutboundFrame.of(message.path("frame").asText()),
                  message.hasNonNull("exclude") ? message.get("exclude").asText() : null,
                  message.path("version").asLong(0)));
      case "close-user" ->
          local.closeUser(
              appId,
              message.path("user").asText(),
              ErrorCode.valueOf(message.path("code").asText()),
              message.path("reason").asText());
      case "close-app" ->
          local.closeApp(
              appId,
              ErrorCode.valueOf(message.path("code").asText()),
              message.path("reason").asText());
      default -> LOG.warning("Ignoring a bus message of unknown type " + message.path("type"));
    }
  }
}
