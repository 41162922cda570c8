package dev.herald.http;

import dev.herald.config.AppConfig;
import dev.herald.scaling.ConnectionCounts;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code GET /apps/{id}/connections}: the app's open connections, as Reverb's HTTP API answers it
 * ({@code {"connections":N}}) for its Laravel Pulse recorder. Cluster-wide when scaled out, see
 * {@link ConnectionCounts}. Thread-safe.
 */
final class ConnectionsHandler {
  private final ConnectionCounts counts;

  ConnectionsHandler(ConnectionCounts counts) {
    this.counts = counts;
  }

  void count(RoutingContext context) {
    AppConfig app = context.get(RequestAuthenticator.APP);
    counts
        .connections(app.id())
        .onSuccess(count -> Responses.json(context, 200, Map.of("connections", count)))
        .onFailure(
            error ->
                context.fail(
                    new ApiException(
                        503,
                        "The cluster's connection count is unavailable: Redis is unreachable")));
  }
}
