package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.metrics.HeraldMetrics;
import io.vertx.core.Future;

/**
 * What a backend runs beside the event loops over the node's life: for a single node, the sweep of
 * expired cache entries; for a node of a Redis cluster, the connection to Redis and the monitor of
 * the other nodes. Thread-safe.
 */
interface Cluster {
  /**
   * Connects and starts the background work.
   *
   * @param apps the apps, for the webhooks a dead node's cleanup sends
   * @param members what a dead node's departures (and this node's return) cause
   */
  Future<Void> start(AppProvider apps, MemberEvents members);

  /** Leaves the cluster: this node's records go at once rather than when it times out. */
  Future<Void> leave();

  /** Closes the connections; after {@link #leave}. */
  Future<Void> close();

  /** Why the backend cannot serve now, or null when it can. */
  String notReadyReason();

  /** The backend's own counters, read at scrape time. */
  void registerStatistics(HeraldMetrics metrics);
}
