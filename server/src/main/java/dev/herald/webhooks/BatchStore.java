package dev.herald.webhooks;

import io.vertx.core.Future;

/**
 * Where sealed webhook batches wait, one FIFO queue per app target. In memory by default; in Redis
 * when the cluster has one, so batches outlive the process and any node can deliver them. A lease
 * makes one node at a time the deliverer of a queue, which keeps its order. Thread-safe.
 */
public interface BatchStore {
  Future<Void> append(String queue, StoredBatch batch);

  /** The oldest batch, or null when the queue is empty. */
  Future<StoredBatch> head(String queue);

  /** Removes the head if it is still {@code batch}. */
  Future<Void> removeHead(String queue, StoredBatch batch);

  /** Takes or renews this node's right to deliver the queue; false while another node has it. */
  Future<Boolean> lease(String queue);
}
