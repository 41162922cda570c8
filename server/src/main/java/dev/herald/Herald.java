package dev.herald;

import dev.herald.auth.RequestVerifier;
import dev.herald.broadcast.EventPublisher;
import dev.herald.broadcast.MemberEvents;
import dev.herald.broadcast.NodeObserver;
import dev.herald.config.AppConfig;
import dev.herald.config.ConnectionSettings;
import dev.herald.config.HeraldConfig;
import dev.herald.config.ServerConfig;
import dev.herald.console.ConsoleFeed;
import dev.herald.console.ConsoleHandler;
import dev.herald.dev.DevRoutes;
import dev.herald.http.BackendRateLimiter;
import dev.herald.http.HttpApi;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.runtime.LeanTransport;
import dev.herald.tls.TlsCertificate;
import dev.herald.webhooks.WebhookDispatcher;
import dev.herald.webhooks.Webhooks;
import dev.herald.websocket.ConnectionRateLimiter;
import dev.herald.websocket.ConnectionRegistry;
import dev.herald.websocket.ConnectionsPerAddress;
import dev.herald.websocket.WebSocketHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * A running server and the composition root: the one place that creates the node's objects and
 * wires them together with plain constructors. The local-or-Redis choice is made once ({@link
 * Backends}); each event loop gets a {@link HeraldVerticle} built from {@link LoopServices}; start,
 * drain and stop belong to {@link NodeLifecycle}.
 */
public final class Herald {
  private final HeraldConfig config;
  private final Vertx vertx;
  private final int eventLoops;
  private final Optional<TlsCertificate> certificate;
  private final String nodeId = UUID.randomUUID().toString().substring(0, 13);
  private final NodeApps apps;
  private final Optional<DevRoutes> devRoutes;
  private final NodeLifecycle lifecycle;

  public Herald(HeraldConfig config, Clock clock) {
    this.config = config;
    ServerConfig server = config.server();
    this.eventLoops =
        server.eventLoops() > 0 ? server.eventLoops() : Runtime.getRuntime().availableProcessors();
    this.vertx = LeanTransport.vertx(vertxOptions(eventLoops, server.connections()));
    // Largest WebSocket message of any connection, static apps' and database apps' alike (rows
    // over it are served with it as their limit).
    int maxWebSocketMessage =
        server
            .connections()
            .webSocketMessageCeiling(
                config.apps().stream().mapToInt(AppConfig::maxMessageSize).max().orElse(0));
    this.certificate = Optional.ofNullable(TlsCertificate.load(server.tls()));
    HeraldMetrics metrics =
        new HeraldMetrics(server.metricsPrefix(), Version.current(), server.port());

    ConnectionRegistry registry = new ConnectionRegistry();
    Backends backends = Backends.choose(vertx, server.scaling(), nodeId, clock, registry);
    this.apps = NodeApps.create(vertx, config, maxWebSocketMessage, backends.broadcaster());
    WebhookDispatcher webhooks =
        new WebhookDispatcher(
            vertx, server.webhooks(), backends.batchStore(), clock, apps.provider()::current);
    Readiness readiness = new Readiness(backends.cluster());

    ConnectionRateLimiter connectionRate =
        new ConnectionRateLimiter(server.connectionsPerIpPerSecond());
    vertx.setPeriodic(10_000, timer -> connectionRate.sweep(System.nanoTime()));

    Optional<ConsoleFeed> consoleFeed =
        Optional.ofNullable(server.consoleToken()).map(token -> new ConsoleFeed(clock));
    NodeObserver observer = consoleFeed.<NodeObserver>map(feed -> feed).orElse(NodeObserver.NONE);
    EventPublisher publisher =
        new EventPublisher(backends.broadcaster(), backends.channels().cache(), observer, metrics);
    Optional<ConsoleHandler> console =
        consoleFeed.map(
            feed ->
                new ConsoleHandler(
                    server.consoleToken(),
                    apps::all,
                    backends.channels().directory(),
                    registry::connectionCount,
                    publisher,
                    feed));
    this.devRoutes =
        config.dev()
            ? Optional.of(new DevRoutes(config.apps().get(0), server.path(), publisher))
            : Optional.empty();

    HttpApi api =
        new HttpApi(
            new HttpApi.Settings(
                server.path(),
                server.maxRequestSize(),
                server.metricsEnabled() && server.metricsPort() == 0),
            new HttpApi.Services(
                apps.provider(),
                new RequestVerifier(clock),
                backends.channels(),
                backends.broadcaster(),
                publisher,
                backends.connectionCounts(),
                new BackendRateLimiter(),
                clock),
            metrics,
            readiness::notReadyReason);
    Optional<ConsoleHandler> consoleOnMainPort =
        console.filter(handler -> !server.consoleOnMetricsPort());
    WebSocketHandler.Settings webSocketSettings =
        new WebSocketHandler.Settings(server.path(), maxWebSocketMessage, readiness::draining);
    Webhooks observedWebhooks = observer.beside(webhooks);
    ConnectionsPerAddress connectionsPerAddress =
        new ConnectionsPerAddress(server.connections().maxConnectionsPerIp());
    WebSocketHandler.Services webSocketServices =
        new WebSocketHandler.Services(
            apps.provider(),
            registry,
            backends.channels(),
            backends.broadcaster(),
            new MemberEvents(backends.broadcaster(), observedWebhooks),
            observedWebhooks,
            observer,
            metrics,
            connectionsPerAddress);
    LoopServices loops =
        new LoopServices(
            backends.localAdapter(),
            (local, context) ->
                WebSocketHandler.forEventLoop(webSocketSettings, webSocketServices, local, context),
            loopVertx -> {
              Router router = api.router(loopVertx);
              consoleOnMainPort.ifPresent(
                  handler -> handler.mount(loopVertx, router, server.path()));
              devRoutes.ifPresent(demo -> demo.mount(router));
              return router;
            },
            connectionRate,
            connectionsPerAddress,
            metrics);

    registerStatistics(metrics, webhooks, backends.cluster());
    Optional<ConsoleHandler> consoleOnMetricsPort =
        console.filter(handler -> server.consoleOnMetricsPort());
    this.lifecycle =
        new NodeLifecycle(
            vertx,
            server,
            eventLoops,
            new NodeLifecycle.Services(
                apps,
                backends.cluster(),
                // As before, the console does not see the cleanup of other nodes: the dispatcher
                // only.
                new MemberEvents(backends.broadcaster(), webhooks),
                webhooks,
                readiness),
            new NodeLifecycle.Listeners(
                () -> startMetricsServer(metrics, readiness, consoleOnMetricsPort),
                port -> new HeraldVerticle(server, port, certificate, loops),
                metrics::listeningOn));
  }

  /** Counters kept by the webhook dispatcher and the cluster backend, read at scrape time. */
  private static void registerStatistics(
      HeraldMetrics metrics, WebhookDispatcher webhooks, Cluster cluster) {
    var stats = webhooks.stats();
    metrics.functionCounter("webhooks.sent", "Webhook events delivered", stats, s -> s.sent());
    metrics.functionCounter(
        "webhooks.failed", "Webhook events refused by the receiver (4xx)", stats, s -> s.failed());
    metrics.functionCounter(
        "webhooks.retried", "Webhook event deliveries retried", stats, s -> s.retried());
    metrics.functionCounter(
        "webhooks.dropped",
        "Webhook events dropped (queue full or retry window over)",
        stats,
        s -> s.dropped());
    metrics.gauge("webhooks.queue.depth", "Webhook events waiting for delivery", stats::queueDepth);
    cluster.registerStatistics(metrics);
  }

  /**
   * Starts listening. The first verticle binds the configured port (0 picks a free one); the others
   * share the port it got.
   *
   * @return the port the server listens on
   */
  public Future<Integer> start() {
    return lifecycle.start();
  }

  /** The metrics port, when metrics are asked for on a port of their own. */
  private Future<Void> startMetricsServer(
      HeraldMetrics metrics, Readiness readiness, Optional<ConsoleHandler> console) {
    if (!config.server().metricsEnabled() || config.server().metricsPort() == 0) {
      return Future.succeededFuture();
    }
    Router router = HttpApi.metricsRouter(vertx, metrics, readiness::notReadyReason);
    console.ifPresent(handler -> handler.mount(vertx, router, ""));
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(config.server().host()))
        .requestHandler(router)
        .listen(config.server().metricsPort())
        .mapEmpty();
  }

  /**
   * Graceful shutdown: readiness turns false and new connections are refused with 4200 at once;
   * existing ones are closed with 4200 spread over the drain window; pending webhooks get up to the
   * same time to be delivered; then the node leaves the cluster and stops.
   */
  public Future<Void> drain() {
    return lifecycle.drain();
  }

  public Future<Void> stop() {
    return lifecycle.stop();
  }

  /** How many apps the database provided at the last read, or -1 without a database. */
  public int databaseAppCount() {
    return apps.databaseCount();
  }

  /** How long a drain may take before the process ends anyway. */
  public long drainLimitSeconds() {
    return 2L * config.server().drainSeconds() + 15;
  }

  public int eventLoops() {
    return eventLoops;
  }

  /** The socket transport in use: Linux epoll (native) or, where unavailable, Java NIO. */
  public String transport() {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  /** This process's id in the cluster. */
  public String nodeId() {
    return nodeId;
  }

  /** The TLS certificate's SHA-256 fingerprint, or null without TLS. */
  public String tlsFingerprint() {
    return certificate.map(TlsCertificate::sha256Fingerprint).orElse(null);
  }

  /** The demo page's path ({@code {path}/demo/}) when {@code --dev} serves it; otherwise null. */
  public String demoPath() {
    return devRoutes.map(DevRoutes::pagePath).orElse(null);
  }

  /**
   * Vert.x with its own asynchronous DNS resolver (the JDK's would block the event loop that asks),
   * pointed at the configured servers if any.
   */
  private static VertxOptions vertxOptions(int eventLoops, ConnectionSettings connections) {
    VertxOptions options =
        new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true);
    if (!connections.dnsServers().isEmpty()) {
      options.setAddressResolverOptions(
          new AddressResolverOptions().setServers(connections.dnsServers()));
    }
    return options;
  }
}
