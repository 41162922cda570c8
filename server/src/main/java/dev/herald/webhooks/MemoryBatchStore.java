package dev.herald.webhooks;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Batches in this process's memory: lost on a restart, never shared. Thread-safe. */
public final class MemoryBatchStore implements BatchStore {
  private final Map<String, Deque<StoredBatch>> queues = new ConcurrentHashMap<>();

  private Deque<StoredBatch> queue(String name) {
    return queues.computeIfAbsent(name, key -> new ArrayDeque<>());
  }

  @Override
  public Future<Void> append(String name, StoredBatch batch) {
    Deque<StoredBatch> queue = queue(name);
    synchronized (queue) {
      queue.addLast(batch);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<StoredBatch> head(String name) {
    Deque<StoredBatch> queue = queue(name);
    synchronized (queue) {
      return Future.succeededFuture(queue.peekFirst());
    }
  }

  @Override
  public Future<Void> removeHead(String name, StoredBatch batch) {
    Deque<StoredBatch> queue = queue(name);
    synchronized (queue) {
      if (queue.peekFirst() == batch) {
        queue.pollFirst();
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> lease(String name) {
    return Future.succeededFuture(true);
  }
}
