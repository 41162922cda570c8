package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.NodeObserver;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.OnlineUsers;
import dev.herald.http.HttpApi;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.LocalAdapter;
import dev.herald.webhooks.Webhooks;
import dev.herald.websocket.ConnectionRateLimiter;
import dev.herald.websocket.ConnectionRegistry;
import dev.herald.websocket.ConnectionsPerAddress;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The node-wide, thread-safe services every event loop's verticle shares. Created once by {@link
 * Herald}; immutable.
 *
 * @param webhooks where channel events go: the dispatcher, with the observer beside it
 * @param features routes mounted on each loop's router beside the API (console, demo)
 */
record NodeServices(
    AppProvider apps,
    ChannelDirectory directory,
    ChannelCache cache,
    OnlineUsers onlineUsers,
    LocalAdapter adapter,
    Broadcaster broadcaster,
    ConnectionRegistry registry,
    ConnectionRateLimiter connectionRate,
    ConnectionsPerAddress connectionsPerAddress,
    Webhooks webhooks,
    NodeObserver observer,
    HttpApi api,
    List<Consumer<Router>> features,
    BooleanSupplier draining,
    HeraldMetrics metrics,
    Clock clock) {}
