package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.apps.CompositeAppProvider;
import dev.herald.apps.DatabaseAppProvider;
import dev.herald.apps.StaticAppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.LocalChannelCache;
import dev.herald.channels.LocalChannelDirectory;
import dev.herald.channels.LocalOnlineUsers;
import dev.herald.channels.OnlineUsers;
import dev.herald.config.AppConfig;
import dev.herald.config.ConnectionSettings;
import dev.herald.config.HeraldConfig;
import dev.herald.config.ScalingConfig;
import dev.herald.console.ConsoleFeed;
import dev.herald.console.ConsoleHandler;
import dev.herald.dev.DevRoutes;
import dev.herald.http.BackendRateLimiter;
import dev.herald.http.EventPublisher;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.BroadcastAdapter;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.ConnectionCounts;
import dev.herald.scaling.LocalAdapter;
import dev.herald.scaling.redis.NodeMonitor;
import dev.herald.scaling.redis.RedisAdapter;
import dev.herald.scaling.redis.RedisBatchStore;
import dev.herald.scaling.redis.RedisChannelCache;
import dev.herald.scaling.redis.RedisChannelDirectory;
import dev.herald.scaling.redis.RedisConnectionCounts;
import dev.herald.scaling.redis.RedisConnector;
import dev.herald.scaling.redis.RedisOnlineUsers;
import dev.herald.webhooks.MemoryBatchStore;
import dev.herald.webhooks.WebhookDispatcher;
import dev.herald.websocket.ConnectionRateLimiter;
import dev.herald.websocket.ConnectionRegistry;
import dev.herald.websocket.ConnectionsPerAddress;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * A running server: the one place that creates the shared objects and wires them together, then
 * deploys one {@link HeraldVerticle} per event loop on the same port. Single node in memory, or one
 * node of a cluster sharing state through Redis.
 */
public final class Herald {
  private static final long CACHE_SWEEP_MILLIS = 60_000;

  private final HeraldConfig config;
  private final Vertx vertx;
  private final int eventLoops;
  private final TlsCertificate certificate;
  private final String nodeId = UUID.randomUUID().toString().substring(0, 13);
  private final DatabaseAppProvider databaseApps;
  private final WebhookDispatcher webhooks;
  private final RedisConnector redis;
  private final NodeMonitor nodeMonitor;
  private final RedisConnectionCounts redisConnectionCounts;
  private final LocalChannelCache localCache;
  private final HeraldMetrics metrics;

  /**
   * Largest WebSocket message of any connection, static apps' and database apps' alike (rows over
   * it are served with it as their limit).
   */
  private final int maxWebSocketMessage;

  private final NodeServices services;
  private final ConsoleHandler consoleHandler;
  private final java.util.List<HeraldVerticle> verticles =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean draining;

  public Herald(HeraldConfig config, Clock clock) {
    this.config = config;
    this.eventLoops =
        config.server().eventLoops() > 0
            ? config.server().eventLoops()
            : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(vertxOptions(eventLoops, config.server().connections()));
    this.maxWebSocketMessage =
        config
            .server()
            .connections()
            .webSocketMessageCeiling(
                config.apps().stream().mapToInt(AppConfig::maxMessageSize).max().orElse(0));
    this.certificate = TlsCertificate.load(config.server().tls());
    this.metrics =
        new HeraldMetrics(
            config.server().metricsPrefix(), Version.current(), config.server().port());
    ScalingConfig scaling = config.server().scaling();

    LocalAdapter localAdapter = new LocalAdapter();
    RedisAdapter redisAdapter =
        scaling.enabled() ? new RedisAdapter(localAdapter, nodeId, scaling.prefix() + "bus") : null;
    BroadcastAdapter adapter = redisAdapter != null ? redisAdapter : localAdapter;
    Broadcaster broadcaster = new Broadcaster(adapter);

    AppProvider apps = new StaticAppProvider(config.apps());
    if (config.server().database().enabled()) {
      databaseApps =
          new DatabaseAppProvider(
              vertx,
              config.server().database(),
              maxWebSocketMessage,
              (app, change) -> {
                if (change == DatabaseAppProvider.Change.DELETED) {
                  broadcaster.closeApp(app.id(), ErrorCode.UNKNOWN_APP, "App was deleted");
                } else {
                  broadcaster.closeApp(app.id(), ErrorCode.APP_DISABLED, "App was disabled");
                }
              });
      apps = new CompositeAppProvider(List.of(apps, databaseApps));
    } else {
      databaseApps = null;
    }

    ChannelDirectory directory;
    ChannelCache cache;
    OnlineUsers onlineUsers;
    if (redisAdapter != null) {
      redis =
          new RedisConnector(
              vertx,
              scaling.redisUrl(),
              scaling.pingIntervalMillis(),
              scaling.pingTimeoutMillis(),
              scaling.prefix() + "bus",
              redisAdapter::onBusMessage);
      redisAdapter.attach(redis);
      this.webhooks =
          new WebhookDispatcher(
              vertx,
              config.server().webhooks(),
              new RedisBatchStore(
                  redis, scaling.prefix(), nodeId, scaling.nodeTimeoutSeconds() * 1000L),
              clock,
              apps::current);
      RedisChannelDirectory redisDirectory =
          new RedisChannelDirectory(redis, scaling.prefix(), nodeId);
      RedisOnlineUsers redisOnline = new RedisOnlineUsers(redis, scaling.prefix(), nodeId);
      directory = redisDirectory;
      onlineUsers = redisOnline;
      cache = new RedisChannelCache(redis, scaling.prefix(), clock);
      localCache = null;
      nodeMonitor =
          new NodeMonitor(
              vertx,
              redis,
              nodeId,
              scaling,
              redisDirectory,
              redisOnline,
              broadcaster,
              webhooks,
              apps,
              clock);
    } else {
      redis = null;
      nodeMonitor = null;
      this.webhooks =
          new WebhookDispatcher(
              vertx, config.server().webhooks(), new MemoryBatchStore(), clock, apps::current);
      directory = new LocalChannelDirectory();
      onlineUsers = new LocalOnlineUsers();
      localCache = new LocalChannelCache(clock);
      cache = localCache;
    }
    ConnectionRegistry registry = new ConnectionRegistry();
    ConnectionCounts connectionCounts;
    if (redis != null) {
      redisConnectionCounts =
          new RedisConnectionCounts(
              redis,
              scaling.prefix(),
              nodeId,
              scaling.nodeTimeoutSeconds() * 1000L,
              registry::connectionCounts,
              registry::connectionCount,
              clock);
      connectionCounts = redisConnectionCounts;
    } else {
      redisConnectionCounts = null;
      connectionCounts = appId -> Future.succeededFuture(registry.connectionCount(appId));
    }
    ConnectionRateLimiter connectionRate =
        new ConnectionRateLimiter(config.server().connectionsPerIpPerSecond());
    ConnectionsPerAddress connectionsPerAddress =
        new ConnectionsPerAddress(config.server().connections().maxConnectionsPerIp());
    vertx.setPeriodic(10_000, timer -> connectionRate.sweep(System.nanoTime()));
    String consoleToken = config.server().consoleToken();
    ConsoleFeed console = new ConsoleFeed(webhooks, clock, consoleToken != null);
    EventPublisher publisher = new EventPublisher(broadcaster, cache, console, metrics);
    this.consoleHandler =
        consoleToken == null
            ? null
            : new ConsoleHandler(
                consoleToken,
                this::allApps,
                directory,
                registry::connectionCount,
                publisher,
                console);
    DevRoutes devRoutes =
        config.dev()
            ? new DevRoutes(config.apps().get(0), config.server().path(), publisher)
            : null;
    this.services =
        new NodeServices(
            apps,
            new RequestVerifier(clock),
            directory,
            cache,
            onlineUsers,
            localAdapter,
            broadcaster,
            registry,
            connectionCounts,
            connectionRate,
            connectionsPerAddress,
            new BackendRateLimiter(),
            console,
            console,
            config.server().consoleOnMetricsPort() ? null : consoleHandler,
            devRoutes,
            this::notReadyReason,
            () -> draining,
            metrics,
            clock);
    registerStatistics(redisAdapter);
  }

  /** Every app this node serves, for the console. */
  private java.util.Collection<AppConfig> allApps() {
    java.util.List<AppConfig> all = new java.util.ArrayList<>(config.apps());
    if (databaseApps != null) {
      all.addAll(databaseApps.apps());
    }
    return all;
  }

  /** Counters kept by the webhook dispatcher and the Redis adapter, read at scrape time. */
  private void registerStatistics(RedisAdapter redisAdapter) {
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
    if (redisAdapter != null) {
      metrics.functionCounter(
          "redis.published",
          "Messages published on the cluster bus",
          redisAdapter,
          a -> a.published());
      metrics.functionCounter(
          "redis.received", "Messages received from other nodes", redisAdapter, a -> a.received());
      metrics.functionCounter(
          "redis.lost",
          "Messages not published because Redis was unreachable",
          redisAdapter,
          a -> a.lost());
      metrics.gauge(
          "redis.connected", "1 while Redis is reachable", () -> redis.isConnected() ? 1 : 0);
      metrics.functionCounter(
          "redis.ping.failures",
          "PINGs to Redis that failed or went unanswered within the timeout (Redis then counts as"
              + " lost)",
          redis,
          r -> r.pingFailures());
      metrics.functionCounter(
          "redis.heartbeat.failures",
          "Node heartbeats that could not be written to Redis",
          nodeMonitor,
          m -> m.heartbeatFailures());
    }
  }

  /**
   * Starts listening. The first verticle binds the configured port (0 picks a free one); the others
   * share the port it got.
   *
   * @return the port the server listens on
   */
  public Future<Integer> start() {
    if (localCache != null) {
      vertx.setPeriodic(CACHE_SWEEP_MILLIS, timer -> localCache.sweep());
    }
    Future<Void> appsReady = databaseApps == null ? Future.succeededFuture() : databaseApps.start();
    Future<Void> clusterReady =
        redis == null
            ? Future.succeededFuture()
            : redis
                .start()
                .recover(
                    error ->
                        Future.failedFuture(
                            "cannot reach Redis at "
                                + dev.herald.config.Redacted.url(
                                    config.server().scaling().redisUrl())
                                + ": "
                                + error.getMessage()))
                .compose(ignored -> nodeMonitor.start())
                .onSuccess(
                    ignored ->
                        redisConnectionCounts.start(
                            vertx, config.server().scaling().heartbeatSeconds()));
    HeraldVerticle first = verticle(config.server().port());
    return appsReady
        .compose(ignored -> clusterReady)
        .onSuccess(ignored -> webhooks.resume(config.apps()))
        .compose(ignored -> startMetricsServer())
        .compose(ignored -> vertx.deployVerticle(first))
        .compose(
            id -> {
              int port = first.actualPort();
              metrics.listeningOn(port);
              if (eventLoops == 1) {
                return Future.succeededFuture(port);
              }
              return vertx
                  .deployVerticle(
                      () -> verticle(port), new DeploymentOptions().setInstances(eventLoops - 1))
                  .map(ignored -> port);
            });
  }

  /** The metrics port, when metrics are asked for on a port of their own. */
  private Future<Void> startMetricsServer() {
    if (!config.server().metricsEnabled() || config.server().metricsPort() == 0) {
      return Future.succeededFuture();
    }
    io.vertx.ext.web.Router router =
        dev.herald.http.HttpApi.metricsRouter(vertx, metrics, this::notReadyReason);
    if (consoleHandler != null && config.server().consoleOnMetricsPort()) {
      consoleHandler.mount(vertx, router, "");
    }
    return vertx
        .createHttpServer(
            new io.vertx.core.http.HttpServerOptions().setHost(config.server().host()))
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
    draining = true;
    long windowMillis = config.server().drainSeconds() * 1000L;
    List<Future<Void>> loops = new java.util.ArrayList<>();
    verticles.forEach(verticle -> loops.add(verticle.drain(windowMillis)));
    return Future.all(new java.util.ArrayList<>(loops))
        .transform(
            ignored ->
                webhooksFlushed(System.nanoTime() + Math.max(1000, windowMillis) * 1_000_000L))
        .transform(
            ignored -> nodeMonitor == null ? Future.<Void>succeededFuture() : nodeMonitor.stop());
  }

  private Future<Void> webhooksFlushed(long deadlineNanos) {
    if (webhooks.stats().queueDepth() <= 0 || System.nanoTime() >= deadlineNanos) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
    vertx.setTimer(100, timer -> webhooksFlushed(deadlineNanos).onComplete(later));
    return later.future();
  }

  public Future<Void> stop() {
    Future<Void> leaving = nodeMonitor == null ? Future.succeededFuture() : nodeMonitor.stop();
    return leaving
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close())
        .eventually(webhooks::close)
        .eventually(() -> vertx.close());
  }

  /** Why this node should not receive traffic now, or null when it is ready. */
  String notReadyReason() {
    if (draining) {
      return "draining";
    }
    if (redis != null && !redis.isConnected()) {
      return "Redis is unreachable";
    }
    return null;
  }

  /** How many apps the database provided at the last read, or -1 without a database. */
  public int databaseAppCount() {
    return databaseApps == null ? -1 : databaseApps.size();
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
    return certificate == null ? null : certificate.sha256Fingerprint();
  }

  /** The demo page's path ({@code {path}/demo/}) when {@code --dev} serves it; otherwise null. */
  public String demoPath() {
    return services.devRoutes() == null ? null : services.devRoutes().pagePath();
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

  private HeraldVerticle verticle(int port) {
    HeraldVerticle verticle =
        new HeraldVerticle(config.server(), port, maxWebSocketMessage, services, certificate);
    verticles.add(verticle);
    return verticle;
  }
}
