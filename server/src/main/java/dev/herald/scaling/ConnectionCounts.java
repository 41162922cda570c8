package dev.herald.scaling;

import io.vertx.core.Future;

/**
 * The open WebSocket connections of an app, as {@code GET /apps/{id}/connections} (Reverb's HTTP
 * API, asked by Laravel Pulse) reports them: this node's own on a single node, the cluster's when
 * scaled out through Redis. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ConnectionCounts {
  Future<Integer> connections(String appId);
}
