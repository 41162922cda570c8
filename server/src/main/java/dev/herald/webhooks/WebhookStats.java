package dev.herald.webhooks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook delivery counters, in events: delivered, refused by the receiver (4xx), retried, and
 * dropped (queue full or retry window over). Thread-safe; read by the metrics endpoint.
 */
public final class WebhookStats {
  final AtomicLong sent = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong retried = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong queued = new AtomicLong();

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  public long retried() {
    return retried.get();
  }

  public long dropped() {
    return dropped.get();
  }

  /** Events accepted but not yet delivered, failed or dropped. */
  public long queueDepth() {
    return queued.get();
  }
}
