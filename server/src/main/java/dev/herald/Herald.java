package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.apps.CompositeAppProvider;
import dev.herald.apps.DatabaseAppProvider;
import dev.herald.apps.StaticAppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.channels.LocalChannelCache;
import dev.herald.channels.LocalChannelDirectory;
import dev.herald.channels.LocalOnlineUsers;
import dev.herald.config.AppConfig;
import dev.herald.config.HeraldConfig;
import dev.herald.protocol.ErrorCode;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.LocalAdapter;
import dev.herald.webhooks.WebhookDispatcher;
import dev.herald.websocket.ConnectionRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.util.List;

/**
 * A running server: the one place that creates the shared objects and wires them together, then
 * deploys one {@link HeraldVerticle} per event loop on the same port.
 */
public final class Herald {
  private static final long CACHE_SWEEP_MILLIS = 60_000;

  private final HeraldConfig config;
  private final Vertx vertx;
  private final int eventLoops;
  private final TlsCertificate certificate;
  private final LocalChannelCache cache;
  private final DatabaseAppProvider databaseApps;
  private final WebhookDispatcher webhooks;
  private final NodeServices services;

  public Herald(HeraldConfig config, Clock clock) {
    this.config = config;
    this.eventLoops =
        config.server().eventLoops() > 0
            ? config.server().eventLoops()
            : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    this.certificate = TlsCertificate.load(config.server().tls());
    this.cache = new LocalChannelCache(clock);
    this.webhooks = new WebhookDispatcher(vertx, config.server().webhooks(), clock);
    LocalAdapter adapter = new LocalAdapter();
    Broadcaster broadcaster = new Broadcaster(adapter);
    AppProvider apps = new StaticAppProvider(config.apps());
    if (config.server().database().enabled()) {
      databaseApps =
          new DatabaseAppProvider(
              vertx,
              config.server().database(),
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
    this.services =
        new NodeServices(
            apps,
            new RequestVerifier(clock),
            new LocalChannelDirectory(),
            cache,
            new LocalOnlineUsers(),
            adapter,
            broadcaster,
            new ConnectionRegistry(),
            webhooks,
            clock);
  }

  /**
   * Starts listening. The first verticle binds the configured port (0 picks a free one); the others
   * share the port it got.
   *
   * @return the port the server listens on
   */
  public Future<Integer> start() {
    vertx.setPeriodic(CACHE_SWEEP_MILLIS, timer -> cache.sweep());
    HeraldVerticle first = verticle(config.server().port());
    Future<Void> appsReady = databaseApps == null ? Future.succeededFuture() : databaseApps.start();
    return appsReady
        .compose(ignored -> vertx.deployVerticle(first))
        .compose(
            id -> {
              int port = first.actualPort();
              if (eventLoops == 1) {
                return Future.succeededFuture(port);
              }
              return vertx
                  .deployVerticle(
                      () -> verticle(port), new DeploymentOptions().setInstances(eventLoops - 1))
                  .map(ignored -> port);
            });
  }

  public Future<Void> stop() {
    return vertx.close();
  }

  /** How many apps the database provided at the last read, or -1 without a database. */
  public int databaseAppCount() {
    return databaseApps == null ? -1 : databaseApps.size();
  }

  public int eventLoops() {
    return eventLoops;
  }

  /** The TLS certificate's SHA-256 fingerprint, or null without TLS. */
  public String tlsFingerprint() {
    return certificate == null ? null : certificate.sha256Fingerprint();
  }

  private HeraldVerticle verticle(int port) {
    int largestAppMessage =
        config.apps().stream().mapToInt(AppConfig::maxMessageSize).max().orElse(10_000);
    // Frames a little over an app's limit still arrive whole, so the client gets a 4300 error
    // rather than a dropped connection; far larger ones are refused by the WebSocket layer.
    int maxWebSocketMessage = Math.max(256 * 1024, largestAppMessage * 2);
    return new HeraldVerticle(config.server(), port, maxWebSocketMessage, services, certificate);
  }
}
