package dev.herald;

/**
 * Whether this node should get traffic: not while it drains, nor while its cluster backend cannot
 * serve. Read by {@code /ready} and by every new WebSocket connection. Thread-safe.
 */
final class Readiness {
  private final Cluster cluster;
  private volatile boolean draining;

  Readiness(Cluster cluster) {
    this.cluster = cluster;
  }

  /** From now on the node drains; there is no way back. */
  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /** Why this node should not receive traffic now, or null when it is ready. */
  String notReadyReason() {
    return draining ? "draining" : cluster.notReadyReason();
  }
}
