package dev.herald.scaling.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.webhooks.BatchStore;
import dev.herald.webhooks.StoredBatch;
import dev.herald.webhooks.WebhookBody;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Webhook batches in Redis lists, so a batch outlives the process that sealed it and whichever node
 * holds a queue's lease delivers it. A batch is removed only after its delivery ended, so a crash
 * between a receiver's 2xx and the removal sends it again (at least once). Thread-safe.
 */
public final class RedisBatchStore implements BatchStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final RedisScript POP_IF_HEAD = RedisScript.load("pop_if_head.lua");
  private static final RedisScript LEASE = RedisScript.load("lease.lua");

  private final RedisConnector redis;
  private final String prefix;
  private final String nodeId;
  private final long leaseMillis;

  /**
   * @param leaseMillis how long a queue stays with a node that stops renewing it (a dead node's
   *     queues move to a survivor after this)
   */
  public RedisBatchStore(RedisConnector redis, String prefix, String nodeId, long leaseMillis) {
    this.redis = redis;
    this.prefix = prefix;
    this.nodeId = nodeId;
    this.leaseMillis = leaseMillis;
  }

  private String list(String queue) {
    return prefix + "webhooks:" + queue;
  }

  private String index() {
    return prefix + "webhooks";
  }

  @Override
  public Future<Void> append(String queue, StoredBatch batch) {
    return redis
        .send(Request.cmd(Command.RPUSH).arg(list(queue)).arg(encode(batch)))
        .compose(ignored -> redis.send(Request.cmd(Command.SADD).arg(index()).arg(queue)))
        .mapEmpty();
  }

  @Override
  public Future<StoredBatch> head(String queue) {
    return redis
        .send(Request.cmd(Command.LINDEX).arg(list(queue)).arg(0))
        .map(head -> head == null ? null : decode(head.toString()));
  }

  @Override
  public Future<Void> removeHead(String queue, StoredBatch batch) {
    return POP_IF_HEAD
        .run(redis, List.of(list(queue), index()), List.of(encode(batch), queue))
        .mapEmpty();
  }

  @Override
  public Future<Boolean> lease(String queue) {
    return LEASE
        .run(
            redis,
            List.of(prefix + "webhooks-lease:" + queue),
            List.of(nodeId, Long.toString(leaseMillis)))
        .map(response -> response.toInteger() == 1);
  }

  private static String encode(StoredBatch batch) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", batch.id());
    node.put("first", batch.firstAttemptMillis());
    node.put("count", batch.body().eventCount());
    node.put("signature", batch.body().signature());
    node.put("body", new String(batch.body().bytes(), StandardCharsets.UTF_8));
    return node.toString();
  }

  private static StoredBatch decode(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      return new StoredBatch(
          node.get("id").asText(),
          new WebhookBody(
              node.get("body").asText().getBytes(StandardCharsets.UTF_8),
              node.get("signature").asText(),
              node.get("count").asInt()),
          node.get("first").asLong());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Unreadable webhook batch in Redis", e);
    }
  }
}
