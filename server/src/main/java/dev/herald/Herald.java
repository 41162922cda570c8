package dev.herald;

import dev.herald.apps.StaticAppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.channels.LocalChannelDirectory;
import dev.herald.config.AppConfig;
import dev.herald.config.HeraldConfig;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.LocalAdapter;
import dev.herald.websocket.ConnectionRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;

/**
 * A running server: the one place that creates the shared objects and wires them together, then
 * deploys one {@link HeraldVerticle} per event loop on the same port.
 */
public final class Herald {
  private final HeraldConfig config;
  private final Vertx vertx;
  private final StaticAppProvider apps;
  private final RequestVerifier verifier;
  private final LocalChannelDirectory directory = new LocalChannelDirectory();
  private final LocalAdapter adapter = new LocalAdapter();
  private final Broadcaster broadcaster = new Broadcaster(adapter);
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final int eventLoops;

  public Herald(HeraldConfig config, Clock clock) {
    this.config = config;
    this.eventLoops =
        config.server().eventLoops() > 0
            ? config.server().eventLoops()
            : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    this.apps = new StaticAppProvider(config.apps());
    this.verifier = new RequestVerifier(clock);
  }

  /**
   * Starts listening. The first verticle binds the configured port (0 picks a free one); the others
   * share the port it got.
   *
   * @return the port the server listens on
   */
  public Future<Integer> start() {
    HeraldVerticle first = verticle(config.server().port());
    return vertx
        .deployVerticle(first)
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

  public int eventLoops() {
    return eventLoops;
  }

  private HeraldVerticle verticle(int port) {
    int largestAppMessage =
        config.apps().stream().mapToInt(AppConfig::maxMessageSize).max().orElse(10_000);
    // Frames a little over an app's limit still arrive whole, so the client gets a 4300 error
    // rather than a dropped connection; far larger ones are refused by the WebSocket layer.
    int maxWebSocketMessage = Math.max(256 * 1024, largestAppMessage * 2);
    return new HeraldVerticle(
        config.server(),
        port,
        maxWebSocketMessage,
        apps,
        verifier,
        directory,
        adapter,
        broadcaster,
        registry);
  }
}
