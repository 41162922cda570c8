package dev.herald.websocket;

import dev.herald.apps.AppProvider;
import dev.herald.broadcast.MemberEvents;
import dev.herald.broadcast.NodeObserver;
import dev.herald.channels.LocalSubscriptions;
import dev.herald.channels.NodeChannels;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.FrameDecoder;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.ServerFrames;
import dev.herald.scaling.Broadcaster;
import dev.herald.webhooks.Webhooks;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.ContextInternal;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts WebSocket upgrades on {@code {path}/app/{key}}: checks the WebSocket headers, the path,
 * the protocol version, the app and its connection quota, takes the connection from Vert.x (see
 * {@link ChannelTakeover}), answers 101 with {@code pusher:connection_established} in the same
 * write, and hands the socket's messages to the {@link MessageHandler}. A Pusher error (unknown
 * app, bad protocol) is sent as a frame and a close code on an open socket, which is what clients
 * understand. Confined to one event loop; each connection stays on the loop that accepted it.
 */
public final class WebSocketHandler implements FrameReader.Events {
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
  private final ContextInternal context;

  /**
   * @param mountPath the server's path prefix ("" or "/something")
   * @param maxMessageBytes the largest frame and the largest message assembled from fragments, in
   *     bytes; app limits below it are checked per message (4300)
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
  /**
   * @param context the loop's Vert.x context, entered around every frame callback
   */
  public static WebSocketHandler forEventLoop(
      Settings settings, Services services, LocalSubscriptions local, ContextInternal context) {
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
    return new WebSocketHandler(
        settings, services, local, messages, subscriptions, signins, context);
  }

  private WebSocketHandler(
      Settings settings,
      Services services,
      LocalSubscriptions local,
      MessageHandler messages,
      SubscriptionHandler subscriptions,
      SigninHandler signins,
      ContextInternal context) {
    this.context = context;
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

  /**
   * Answers an upgrade request whose client may connect (rate and per-address limits passed).
   * Refusals of the HTTP kind (bad WebSocket headers) are answered by Vert.x on the HTTP
   * connection; every other outcome takes the connection: {@code takenOver} is told its channel
   * once Vert.x no longer owns it, to watch for its close.
   *
   * @param refused told when the request is answered over HTTP and no WebSocket comes of it
   */
  public void upgrade(HttpServerRequest request, Consumer<Channel> takenOver, Runnable refused) {
    int status =
        UpgradeHeaders.refusal(
            request.getHeader("Sec-WebSocket-Version"), request.getHeader("Sec-WebSocket-Key"));
    Channel channel = ChannelTakeover.channelOf(request.connection());
    if (status == 0 && channel == null) {
      status = 400; // not HTTP/1.1 (Vert.x would need its own path for that)
    }
    if (status != 0) {
      refused.run();
      if (status == 426) {
        request.response().putHeader("Sec-WebSocket-Version", UpgradeHeaders.VERSION);
      }
      request
          .response()
          .setStatusCode(status)
          .end(status == 426 ? "Upgrade Required" : "Bad Request: not a WebSocket handshake");
      return;
    }
    Upgrade upgrade =
        new Upgrade(
            channel,
            UpgradeHeaders.switchingProtocols(request.getHeader("Sec-WebSocket-Key")),
            request.getHeader(HttpHeaders.ORIGIN),
            takenOver);
    if (draining.getAsBoolean()) {
      reject(upgrade, ErrorCode.RECONNECT_NOW, "Server is shutting down; reconnect");
      return;
    }
    Handshake handshake;
    try {
      handshake = Handshake.parse(appPathPrefix, request.path(), request.uri());
    } catch (ProtocolException e) {
      reject(upgrade, e.errorCode(), e.getMessage());
      return;
    }
    String key = handshake.appKey();
    apps.findByKey(key)
        .onComplete(
            result -> {
              if (!channel.isActive()) {
                return; // the client left during the lookup; Vert.x saw the close
              }
              if (result.failed()) {
                LOG.log(Level.WARNING, "App lookup failed", result.cause());
                reject(upgrade, ErrorCode.OVER_CAPACITY, "App lookup failed, try again later");
              } else if (result.result().isEmpty()) {
                reject(upgrade, ErrorCode.UNKNOWN_APP, "App key " + key + " does not exist");
              } else {
                open(upgrade, result.result().get());
              }
            });
  }

  /**
   * What an accepted upgrade needs after the request is gone: the channel, the 101 response, the
   * page's origin (null without one) and who watches the channel once taken.
   */
  private record Upgrade(
      Channel channel, byte[] response, String origin, Consumer<Channel> takenOver) {}

  private void open(Upgrade upgrade, AppConfig app) {
    try {
      Handshake.checkApp(app, upgrade.origin());
    } catch (ProtocolException e) {
      reject(upgrade, e.errorCode(), e.getMessage());
      return;
    }
    if (!registry.tryReserve(app.id(), app.maxConnections())) {
      reject(upgrade, ErrorCode.OVER_CAPACITY, "App is over its connection quota");
      return;
    }
    FrameReader reader = new FrameReader(this);
    ChannelHandlerContext channel = ChannelTakeover.install(upgrade.channel(), reader);
    long now = System.nanoTime();
    Session session;
    do {
      session =
          new Session(
              channel, frameWriter, app, registry.newSocketId(), now, metrics.app(app.id()));
    } while (!registry.add(session));
    Session opened = session;
    reader.attach(opened);
    ChannelTakeover.removeVertx(upgrade.channel());
    upgrade.takenOver().accept(upgrade.channel());
    channel.write(Unpooled.wrappedBuffer(upgrade.response()), channel.voidPromise());
    opened.meters().connectionOpened();
    observer.connection(app.id(), opened.socketId(), true);
    monitor.add(opened);
    local.addConnection(app.id(), opened);
    LOG.fine(() -> "Connection " + opened.socketId() + " opened for app " + app.id());
    opened.send(ServerFrames.connectionEstablished(opened.socketId(), app.activityTimeout()));
  }

  @Override
  public ContextInternal context() {
    return context;
  }

  @Override
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  @Override
  public void text(Session session, String text) {
    if (Session.FRAMES.isLoggable(Level.FINE)) {
      Session.FRAMES.fine(session.socketId() + " -> " + text);
    }
    messages.onText(session, text, System.nanoTime());
  }

  @Override
  public void binary(Session session) {
    messages.onBinary(session);
  }

  @Override
  public void closed(Session session) {
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

  /**
   * Completes the upgrade only to refuse it the Pusher way: 101, {@code pusher:error} and a close
   * frame with the same code, then the TCP connection is closed once they are written.
   */
  private void reject(Upgrade upgrade, ErrorCode code, String message) {
    metrics.rejection(null, code.name());
    Channel channel = upgrade.channel();
    ChannelTakeover.removeVertx(channel);
    upgrade.takenOver().accept(channel);
    channel.write(Unpooled.wrappedBuffer(upgrade.response()), channel.voidPromise());
    channel.write(WireFrames.text(channel.alloc(), ServerFrames.error(code, message)));
    channel
        .writeAndFlush(WireFrames.close(channel.alloc(), code.code(), message))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
