package dev.herald.scaling;

import dev.herald.protocol.ErrorCode;
import io.vertx.core.Future;

/**
 * The fan-out seam: carries an envelope, or an order to close connections, to every event loop
 * (and, scaled out, every node) that may hold the connections concerned. {@link LocalAdapter}
 * serves a single node; a Redis-backed adapter replaces it without any change to protocol code.
 * Thread-safe.
 */
public interface BroadcastAdapter {
  void publish(Envelope envelope);

  /**
   * Like {@link #publish}, with a future that completes once the envelope is handed to every node:
   * at once on a single node; when the cluster bus has taken it with Redis. It fails when the other
   * nodes cannot be reached (this node's subscribers may have had it).
   */
  default Future<Void> publishAcknowledged(Envelope envelope) {
    publish(envelope);
    return Future.succeededFuture();
  }

  /** Delivers to the other nodes only (announcing this node's state to a cluster that lost it). */
  void publishToOtherNodes(Envelope envelope);

  /** Whether a publication now reaches every node; a single node always reaches itself. */
  default boolean reachesEveryNode() {
    return true;
  }

  /** Closes every connection signed in as the user ({@code terminate_connections}). */
  void closeUser(String appId, String userId, ErrorCode code, String message);

  /** Closes every connection of the app (disabled or deleted). */
  void closeApp(String appId, ErrorCode code, String message);
}
