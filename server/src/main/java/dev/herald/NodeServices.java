package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.OnlineUsers;
import dev.herald.console.ConsoleFeed;
import dev.herald.console.ConsoleHandler;
import dev.herald.dev.DevRoutes;
import dev.herald.http.BackendRateLimiter;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.ConnectionCounts;
import dev.herald.scaling.LocalAdapter;
import dev.herald.webhooks.Webhooks;
import dev.herald.websocket.ConnectionRateLimiter;
import dev.herald.websocket.ConnectionRegistry;
import dev.herald.websocket.ConnectionsPerAddress;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node-wide, thread-safe services every event loop's verticle shares. Created once by {@link
 * Herald}; immutable.
 *
 * @param webhooks where channel events go: the console feed, which forwards to the dispatcher
 * @param consoleHandler the debug console's routes, or null when it is off
 * @param connectionCounts the apps' connections for the HTTP API (the cluster's when scaled out)
 * @param devRoutes the demo's routes ({@code --dev}), or null when it is off
 * @param notReadyReason why the node should get no traffic now (null when ready), for /ready
 */
record NodeServices(
    AppProvider apps,
    RequestVerifier verifier,
    ChannelDirectory directory,
    ChannelCache cache,
    OnlineUsers onlineUsers,
    LocalAdapter adapter,
    Broadcaster broadcaster,
    ConnectionRegistry registry,
    ConnectionCounts connectionCounts,
    ConnectionRateLimiter connectionRate,
    ConnectionsPerAddress connectionsPerAddress,
    BackendRateLimiter backendRate,
    Webhooks webhooks,
    ConsoleFeed console,
    ConsoleHandler consoleHandler,
    DevRoutes devRoutes,
    Supplier<String> notReadyReason,
    BooleanSupplier draining,
    HeraldMetrics metrics,
    Clock clock) {}
