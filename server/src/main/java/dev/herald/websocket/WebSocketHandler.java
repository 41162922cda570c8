package dev.herald.websocket;

import dev.herald.apps.AppProvider;
import dev.herald.channels.ChannelCache;
import dev.herald.channels.ChannelDirectory;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.channels.OnlineUsers;
import dev.herald.config.AppConfig;
import dev.herald.console.ConsoleFeed;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.Webhooks;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts WebSocket upgrades on {@code {path}/app/{key}}: checks the path, the protocol version,
 * the app and its connection quota, then sends {@code pusher:connection_established} and wires the
 * socket's frames to the {@link MessageHandler}. Confined to one event loop; each connection stays
 * on the loop that accepted it.
 */
public final class WebSocketHandler {
  private static final Logger LOG = Logger.getLogger(WebSocketHandler.class.getName());
  private static final int MIN_PROTOCOL = 4;
  private static final int MAX_PROTOCOL = 7;

  private final String appPathPrefix;
  private final AppProvider apps;
  private final ConnectionRegistry registry;
  private final ActivityMonitor monitor = new ActivityMonitor();
  private final LocalSubscriptions local;
  private final MessageHandler messages;
  private final SubscriptionHandler subscriptions;
  private final SigninHandler signins;
  private final HeraldMetrics metrics;
  private final BooleanSupplier draining;
  private final ConsoleFeed console;
  private final FrameWriter frameWriter = new FrameWriter();
  private final int maxMessageBytes;

  /** The WebSocket side of one event loop, with the handlers it owns. */
  public static WebSocketHandler forEventLoop(
      String mountPath,
      AppProvider apps,
      ConnectionRegistry registry,
      LocalSubscriptions local,
      ChannelDirectory directory,
      ChannelCache cache,
      OnlineUsers onlineUsers,
      Broadcaster broadcaster,
      Webhooks webhooks,
      HeraldMetrics metrics,
      BooleanSupplier draining,
      ConsoleFeed console,
      int maxMessageBytes) {
    SubscriptionHandler subscriptions =
        new SubscriptionHandler(
            local, directory, cache, broadcaster, webhooks, metrics, apps::current);
    SigninHandler signins = new SigninHandler(local, onlineUsers, broadcaster, apps::current);
    MessageHandler messages =
        new MessageHandler(
            new FrameDecoder(), subscriptions, signins, broadcaster, webhooks, metrics);
    return new WebSocketHandler(
        mountPath,
        apps,
        registry,
        local,
        messages,
        subscriptions,
        signins,
        metrics,
        draining,
        console,
        maxMessageBytes);
  }

  private WebSocketHandler(
      String mountPath,
      AppProvider apps,
      ConnectionRegistry registry,
      LocalSubscriptions local,
      MessageHandler messages,
      SubscriptionHandler subscriptions,
      SigninHandler signins,
      HeraldMetrics metrics,
      BooleanSupplier draining,
      ConsoleFeed console,
      int maxMessageBytes) {
    this.console = console;
    this.maxMessageBytes = maxMessageBytes;
    this.metrics = metrics;
    this.draining = draining;
    this.appPathPrefix = mountPath + "/app/";
    this.apps = apps;
    this.registry = registry;
    this.local = local;
    this.messages = messages;
    this.subscriptions = subscriptions;
    this.signins = signins;
  }

  /** Called by the loop's timer about once a second. */
  public void tick() {
    monitor.tick(System.nanoTime());
  }

  public void handle(ServerWebSocket socket) {
    if (draining.getAsBoolean()) {
      reject(socket, ErrorCode.RECONNECT_NOW, "Server is shutting down; reconnect");
      return;
    }
    String path = socket.path();
    if (!path.startsWith(appPathPrefix)
        || path.length() == appPathPrefix.length()
        || path.indexOf('/', appPathPrefix.length()) >= 0) {
      reject(
          socket,
          ErrorCode.PATH_NOT_FOUND,
          "Path not found: connect to " + appPathPrefix + "{key}");
      return;
    }
    String key = path.substring(appPathPrefix.length());
    Map<String, List<String>> query = new QueryStringDecoder(socket.uri()).parameters();
    List<String> protocol = query.get("protocol");
    if (protocol == null || protocol.isEmpty() || protocol.get(0).isEmpty()) {
      reject(socket, ErrorCode.NO_PROTOCOL, "No protocol version supplied");
      return;
    }
    if (!isSupportedProtocol(protocol.get(0))) {
      reject(
          socket,
          ErrorCode.UNSUPPORTED_PROTOCOL,
          "Unsupported protocol version " + protocol.get(0) + "; use 4 to 7");
      return;
    }
    socket.pause();
    apps.findByKey(key)
        .onComplete(
            result -> {
              if (result.failed()) {
                LOG.log(Level.WARNING, "App lookup failed", result.cause());
                reject(socket, ErrorCode.OVER_CAPACITY, "App lookup failed, try again later");
              } else if (result.result().isEmpty()) {
                reject(socket, ErrorCode.UNKNOWN_APP, "App key " + key + " does not exist");
              } else {
                open(socket, result.result().get());
              }
              socket.resume();
            });
  }

  private static boolean isSupportedProtocol(String value) {
    try {
      int version = Integer.parseInt(value);
      return version >= MIN_PROTOCOL && version <= MAX_PROTOCOL;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void open(ServerWebSocket socket, AppConfig app) {
    if (!app.enabled()) {
      reject(socket, ErrorCode.APP_DISABLED, "App is disabled");
      return;
    }
    String origin = socket.headers().get("Origin");
    if (!app.allowedOrigins().allows(origin)) {
      reject(socket, ErrorCode.CONNECTION_UNAUTHORIZED, "Origin not allowed: " + origin);
      return;
    }
    if (!registry.tryReserve(app.id(), app.maxConnections())) {
      reject(socket, ErrorCode.OVER_CAPACITY, "App is over its connection quota");
      return;
    }
    long now = System.nanoTime();
    Session session;
    do {
      session =
          new Session(socket, frameWriter, app, registry.newSocketId(), now, metrics.app(app.id()));
    } while (!registry.add(session));
    Session opened = session;
    opened.meters().connectionOpened();
    console.connection(app.id(), opened.socketId(), true);
    monitor.add(opened);
    local.addConnection(app.id(), opened);
    FragmentedMessageGuard fragments = new FragmentedMessageGuard(maxMessageBytes);
    socket.frameHandler(
        frame -> {
          if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
            opened.meters().bytesReceived(frame.binaryData().length());
          }
          if (!fragments.accept(frame)) {
            opened.close(1009, "Message too big");
            return;
          }
          opened.touch(System.nanoTime());
          // Vert.x answers a ping frame with a pong on its own: a ping flood from a client that
          // does not read must not queue pongs without bound.
          if (frame.type() == WebSocketFrameType.PING && opened.writeQueueFull()) {
            // Stop reading too: the close frame waits behind the unread pongs until Vert.x's
            // closing timeout, and every ping read meanwhile would queue one more pong.
            opened.stopReading();
            opened.closeAsSlowConsumer();
          }
        });
    socket.textMessageHandler(
        text -> {
          opened.meters().messageReceived();
          if (Session.FRAMES.isLoggable(Level.FINE)) {
            Session.FRAMES.fine(opened.socketId() + " -> " + text);
          }
          messages.onText(opened, text, System.nanoTime());
        });
    socket.binaryMessageHandler(
        binary -> {
          opened.meters().messageReceived();
          messages.onBinary(opened);
        });
    socket.exceptionHandler(
        error -> LOG.log(Level.FINE, "Socket error on " + opened + ": " + error.getMessage()));
    socket.closeHandler(ignored -> closed(opened));
    LOG.fine(() -> "Connection " + opened.socketId() + " opened for app " + app.id());
    // Vert.x keeps the upgrade request's headers for the socket's whole life (about 1 KB per
    // connection, a fifth of its heap). Nothing reads them after this point; they are cleared on
    // the loop's next task because the handshake, which reads them, may still be to come.
    Vertx.currentContext().runOnContext(ignored -> socket.headers().clear());
    opened.send(ServerFrames.connectionEstablished(opened.socketId(), app.activityTimeout()));
  }

  private void closed(Session session) {
    session.markClosed();
    LOG.fine(() -> "Connection " + session.socketId() + " closed");
    session.meters().connectionClosed();
    console.connection(session.app().id(), session.socketId(), false);
    monitor.remove(session);
    registry.remove(session);
    local.removeConnection(session.app().id(), session);
    signins.signedOut(session);
    subscriptions.unsubscribeAll(session);
  }

  private void reject(ServerWebSocket socket, ErrorCode code, String message) {
    metrics.rejection(null, code.name());
    socket.writeTextMessage(ServerFrames.error(code, message));
    socket.close(
        code.code().shortValue(), message.length() > 120 ? message.substring(0, 120) : message);
  }
}
