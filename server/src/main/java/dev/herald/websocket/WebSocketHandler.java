package dev.herald.websocket;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.broadcast.NodeObserver;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.channels.NodeChannels;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.CloseReason;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
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
  private final NodeObserver observer;
  private final FrameWriter frameWriter = new FrameWriter();
  private final int maxMessageBytes;

  /**
   * @param mountPath the server's path prefix ("" or "/something")
   * @param maxMessageBytes the largest message of any app, which Vert.x enforces per frame
   * @param draining true once the node drains: new connections are refused with 4200
   */
  public record Settings(String mountPath, int maxMessageBytes, BooleanSupplier draining) {}

  /**
   * The node-wide, thread-safe services behind every event loop's WebSocket side.
   *
   * @param members what joins and leaves cause (webhooks, member events), as {@code webhooks} sees
   *     them
   * @param webhooks where channel events go (the dispatcher, with any observer beside it)
   * @param observer told when connections open and close
   */
  public record Services(
      AppProvider apps,
      ConnectionRegistry registry,
      NodeChannels channels,
      Broadcaster broadcaster,
      MemberEvents members,
      Webhooks webhooks,
      NodeObserver observer,
      HeraldMetrics metrics) {}

  /** The WebSocket side of one event loop, with the handlers it owns. */
  public static WebSocketHandler forEventLoop(
      Settings settings, Services services, LocalSubscriptions local) {
    AppProvider apps = services.apps();
    SubscriptionHandler subscriptions =
        new SubscriptionHandler(
            local,
            services.channels().directory(),
            services.channels().cache(),
            services.members(),
            services.webhooks(),
            services.metrics(),
            apps::current);
    SigninHandler signins =
        new SigninHandler(
            local, services.channels().onlineUsers(), services.members(), apps::current);
    MessageHandler messages =
        new MessageHandler(
            new FrameDecoder(),
            subscriptions,
            signins,
            services.broadcaster(),
            services.webhooks(),
            services.metrics());
    return new WebSocketHandler(settings, services, local, messages, subscriptions, signins);
  }

  private WebSocketHandler(
      Settings settings,
      Services services,
      LocalSubscriptions local,
      MessageHandler messages,
      SubscriptionHandler subscriptions,
      SigninHandler signins) {
    this.observer = services.observer();
    this.maxMessageBytes = settings.maxMessageBytes();
    this.metrics = services.metrics();
    this.draining = settings.draining();
    this.appPathPrefix = settings.mountPath() + "/app/";
    this.apps = services.apps();
    this.registry = services.registry();
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
    Handshake handshake;
    try {
      handshake = Handshake.parse(appPathPrefix, socket.path(), socket.uri());
    } catch (ProtocolException e) {
      reject(socket, e.errorCode(), e.getMessage());
      return;
    }
    String key = handshake.appKey();
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

  private void open(ServerWebSocket socket, AppConfig app) {
    try {
      Handshake.checkApp(app, socket.headers().get("Origin"));
    } catch (ProtocolException e) {
      reject(socket, e.errorCode(), e.getMessage());
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
    observer.connection(app.id(), opened.socketId(), true);
    monitor.add(opened);
    local.addConnection(app.id(), opened);
    FragmentedMessageGuard fragments = new FragmentedMessageGuard(maxMessageBytes);
    socket.frameHandler(
        frame -> {
          if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
            opened.meters().bytesReceived(frame.binaryData().length());
          }
          if (!fragments.accept(frame)) {
            opened.close(ErrorCode.MESSAGE_TOO_BIG, "Message too big");
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
    observer.connection(session.app().id(), session.socketId(), false);
    monitor.remove(session);
    registry.remove(session);
    local.removeConnection(session.app().id(), session);
    signins.signedOut(session);
    subscriptions.unsubscribeAll(session);
  }

  private void reject(ServerWebSocket socket, ErrorCode code, String message) {
    metrics.rejection(null, code.name());
    socket.writeTextMessage(ServerFrames.error(code, message));
    socket.close(code.code().shortValue(), CloseReason.truncate(message));
  }
}
