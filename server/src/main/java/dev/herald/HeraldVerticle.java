package dev.herald;

import dev.herald.apps.AppProvider;
import dev.herald.auth.RequestVerifier;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.config.ServerConfig;
import dev.herald.http.HttpApi;
import dev.herald.scaling.Broadcaster;
import dev.herald.scaling.LocalAdapter;
import dev.herald.websocket.ConnectionRegistry;
import dev.herald.websocket.WebSocketHandler;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * One event loop's server: an HTTP server on the shared port that takes WebSocket upgrades and API
 * requests, with the subscriptions of the connections it accepted. One instance is deployed per
 * event loop; everything it creates is confined to that loop.
 */
final class HeraldVerticle extends AbstractVerticle {
  /** Largest frame and message Vert.x assembles; app limits below this are checked per message. */
  private static final int MAX_WEBSOCKET_FRAME = 64 * 1024;

  private final ServerConfig server;
  private final int port;
  private final int maxWebSocketMessage;
  private final AppProvider apps;
  private final RequestVerifier verifier;
  private final ChannelDirectory directory;
  private final LocalAdapter adapter;
  private final Broadcaster broadcaster;
  private final ConnectionRegistry registry;
  private final LocalSubscriptions local = new LocalSubscriptions();
  private HttpServer httpServer;

  HeraldVerticle(
      ServerConfig server,
      int port,
      int maxWebSocketMessage,
      AppProvider apps,
      RequestVerifier verifier,
      ChannelDirectory directory,
      LocalAdapter adapter,
      Broadcaster broadcaster,
      ConnectionRegistry registry) {
    this.server = server;
    this.port = port;
    this.maxWebSocketMessage = maxWebSocketMessage;
    this.apps = apps;
    this.verifier = verifier;
    this.directory = directory;
    this.adapter = adapter;
    this.broadcaster = broadcaster;
    this.registry = registry;
  }

  @Override
  public void start(Promise<Void> started) {
    adapter.register(context, local);
    WebSocketHandler webSockets =
        WebSocketHandler.forEventLoop(server.path(), apps, registry, local, directory, broadcaster);
    vertx.setPeriodic(1000, timer -> webSockets.tick());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(server.host())
            .setPort(port)
            .setMaxWebSocketFrameSize(MAX_WEBSOCKET_FRAME)
            .setMaxWebSocketMessageSize(maxWebSocketMessage)
            .setTcpNoDelay(true)
            .setReuseAddress(true)
            .setCompressionSupported(false);
    httpServer =
        vertx
            .createHttpServer(options)
            // Every upgrade is accepted: Pusher errors (unknown app, bad protocol) are sent as
            // frames and close codes on an open socket, which is what clients understand.
            .webSocketHandshakeHandler(handshake -> handshake.accept())
            .webSocketHandler(webSockets::handle)
            .requestHandler(
                HttpApi.router(
                    vertx,
                    server.path(),
                    server.maxRequestSize(),
                    apps,
                    verifier,
                    directory,
                    broadcaster));
    httpServer.listen().<Void>mapEmpty().onComplete(started);
  }

  int actualPort() {
    return httpServer.actualPort();
  }

  @Override
  public void stop() {
    adapter.unregister(local);
  }
}
