package dev.herald;

import dev.herald.channels.LocalSubscriptions;
import dev.herald.channels.Subscriber;
import dev.herald.config.ServerConfig;
import dev.herald.http.RequestDeadlines;
import dev.herald.protocol.ErrorCode;
import dev.herald.tls.TlsCertificate;
import dev.herald.websocket.WebSocketHandler;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's server: an HTTP server on the shared port that takes WebSocket upgrades and API
 * requests, with the subscriptions of the connections it accepted. One instance is deployed per
 * event loop; everything it creates is confined to that loop.
 */
final class HeraldVerticle extends AbstractVerticle {
  private final ServerConfig server;
  private final int port;

  private final LoopServices services;
  private final Optional<TlsCertificate> certificate;
  private final LocalSubscriptions local;
  private HttpServer httpServer;

  /**
   * @param certificate the certificate to serve TLS with; empty for plain ws/http
   */
  HeraldVerticle(
      ServerConfig server, int port, Optional<TlsCertificate> certificate, LoopServices services) {
    this.server = server;
    this.port = port;
    this.services = services;
    this.certificate = certificate;
    this.local = new LocalSubscriptions(services.metrics()::broadcastDelivered);
  }

  @Override
  public void start(Promise<Void> started) {
    services.localAdapter().register(context, local);
    WebSocketHandler webSockets = services.webSockets().apply(local, (ContextInternal) context);
    long[] lastTick = {System.nanoTime()};
    vertx.setPeriodic(
        1000,
        timer -> {
          long now = System.nanoTime();
          services.metrics().eventLoopLag(now - lastTick[0] - 1_000_000_000L);
          lastTick[0] = now;
          webSockets.tick();
        });
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(server.host())
            .setPort(port)
            .setTcpNoDelay(true)
            .setReuseAddress(true)
            .setCompressionSupported(false)
            // Browsers offer permessage-deflate; accepting it would compress every frame once per
            // subscriber (no more shared bytes) and keep a zlib context per connection.
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            // Without cleartext HTTP/2, Vert.x makes the connection (and calls the connection
            // handler, which starts its deadline) as soon as it is accepted; with it, only once
            // the first bytes arrive, so a silent TCP connection would never be timed out.
            // Pusher clients and the SDKs speak HTTP/1.1.
            .setHttp2ClearTextEnabled(false)
            .setSslHandshakeTimeout(server.connections().requestTimeoutSeconds())
            .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    certificate.ifPresent(
        tls ->
            options
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(tls.certificatePem()))
                        .setKeyValue(Buffer.buffer(tls.privateKeyPem()))));
    Router api = services.http().apply(vertx);
    RequestDeadlines deadlines =
        new RequestDeadlines(
            vertx,
            server.connections().requestTimeoutSeconds(),
            server.connections().keepAliveTimeoutSeconds(),
            () -> services.metrics().rejection(null, "REQUEST_TIMEOUT"));
    httpServer =
        vertx
            .createHttpServer(options)
            .connectionHandler(deadlines::opened)
            .requestHandler(
                request -> {
                  deadlines.requestArrived(request);
                  if (isWebSocketUpgrade(request)) {
                    upgrade(request, webSockets, deadlines);
                  } else {
                    api.handle(request);
                  }
                });
    httpServer.listen().<Void>mapEmpty().onComplete(started);
  }

  /** A GET asking to become a WebSocket (RFC 6455 §4.1); Vert.x 4.5 has no public check for it. */
  private static boolean isWebSocketUpgrade(HttpServerRequest request) {
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    return request.method() == HttpMethod.GET
        && "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
        && connection != null
        && connection.toLowerCase(Locale.ROOT).contains("upgrade");
  }

  /**
   * Takes a WebSocket upgrade unless its client is over the per-IP handshake rate or already holds
   * {@code max_connections_per_ip} connections (counted until this connection closes). Every other
   * upgrade is accepted: Pusher errors (unknown app, bad protocol) are sent as frames and close
   * codes on an open socket, which is what clients understand.
   *
   * <p>An upgrade refused for its rate gets 429 and its connection is closed. Vert.x's own
   * handshake rejection leaves the connection open but no longer read, so a proxy that pools
   * connections to Herald (Caddy by default, nginx with {@code keepalive}) would send the next
   * client's request into it and wait forever.
   */
  private void upgrade(
      HttpServerRequest request, WebSocketHandler webSockets, RequestDeadlines deadlines) {
    String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    // Behind a trusted proxy, count the client it forwards, not the proxy.
    String address =
        server.trustedProxies().clientAddress(peer, request.headers().getAll("X-Forwarded-For"));
    if (!services.connectionRate().tryAcquire(address, System.nanoTime())) {
      refuse(request, "CONNECTION_RATE_LIMIT");
      return;
    }
    if (!services.connectionsPerAddress().tryAcquire(address)) {
      refuse(request, "CONNECTIONS_PER_IP_LIMIT");
      return;
    }
    boolean[] released = {false};
    Runnable release =
        () -> {
          if (!released[0]) {
            released[0] = true;
            services.connectionsPerAddress().release(address);
          }
        };
    deadlines.whenClosed(request.connection(), release);
    HttpConnection connection = request.connection();
    webSockets.upgrade(
        request,
        channel -> {
          // Vert.x no longer sees this connection close: what waited for that now watches the
          // channel (the per-address place above, among others).
          List<Runnable> onClose = deadlines.handOver(connection);
          channel.closeFuture().addListener(closed -> onClose.forEach(Runnable::run));
        },
        release);
  }

  /** Answers an upgrade 429, counted under {@code kind}, and closes its connection. */
  private void refuse(HttpServerRequest request, String kind) {
    services.metrics().rejection(null, kind);
    request
        .response()
        .setStatusCode(429)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end("Too Many Requests")
        .onComplete(written -> request.connection().close());
  }

  /**
   * Closes this loop's connections with 4200 ("reconnect now"), spread evenly over {@code
   * windowMillis} so they do not all reconnect in the same instant.
   */
  Future<Void> drain(long windowMillis) {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(
        ignored -> {
          List<Subscriber> connections = local.allConnections();
          int count = connections.size();
          if (count == 0) {
            drained.complete();
            return;
          }
          int[] closed = {0};
          for (int i = 0; i < count; i++) {
            Subscriber connection = connections.get(i);
            long delay = 1 + (windowMillis * i) / count;
            vertx.setTimer(
                delay,
                timer -> {
                  connection.close(ErrorCode.RECONNECT_NOW, "Server is shutting down; reconnect");
                  if (++closed[0] == count) {
                    drained.complete();
                  }
                });
          }
        });
    return drained.future();
  }

  int actualPort() {
    return httpServer.actualPort();
  }

  @Override
  public void stop() {
    services.localAdapter().unregister(local);
  }
}
