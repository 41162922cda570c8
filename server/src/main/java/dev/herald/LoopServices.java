package dev.herald;

import dev.herald.channels.LocalSubscriptions;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.scaling.LocalAdapter;
import dev.herald.websocket.ConnectionRateLimiter;
import dev.herald.websocket.ConnectionsPerAddress;
import dev.herald.websocket.WebSocketHandler;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.Router;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What each event loop's {@link HeraldVerticle} is given by the composition root: node-wide,
 * thread-safe services, and the two factories that build the loop's own WebSocket side and router.
 *
 * @param localAdapter where the loop registers its subscriptions for broadcasts
 * @param webSockets builds the loop's WebSocket side around its subscriptions, in its context
 * @param http builds the loop's router: the HTTP API and any feature mounted beside it
 * @param connectionRate the per-address handshake rate, checked before an upgrade
 * @param connectionsPerAddress the per-address connection count, checked before an upgrade
 */
record LoopServices(
    LocalAdapter localAdapter,
    BiFunction<LocalSubscriptions, ContextInternal, WebSocketHandler> webSockets,
    Function<Vertx, Router> http,
    ConnectionRateLimiter connectionRate,
    ConnectionsPerAddress connectionsPerAddress,
    HeraldMetrics metrics) {}
