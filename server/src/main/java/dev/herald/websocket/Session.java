package dev.herald.websocket;

import dev.herald.channels.OutboundFrame;
import dev.herald.channels.Subscriber;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.CloseReason;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ServerFrames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.WebSocketInternal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: its socket, app, subscriptions and liveness. Confined to the event loop
 * its socket lives on; no method may be called from another thread.
 */
public final class Session implements Subscriber {
  /** {@code --debug} logs every frame in and out through this logger. */
  static final Logger FRAMES = Logger.getLogger("dev.herald.frames");

  private static final Logger LOG = Logger.getLogger(Session.class.getName());

  /** Where the connection is in its life. */
  public enum State {
    OPEN,
    /** A close frame was sent or received; nothing more is written. */
    CLOSING
  }

  /**
   * One channel this connection is subscribed to.
   *
   * @param userId the presence user id it joined as, else null
   * @param snapshotVersion the presence membership version its member list was taken at
   */
  public record Subscription(ChannelName channel, String userId, long snapshotVersion) {
    Subscription withSnapshotVersion(long version) {
      return new Subscription(channel, userId, version);
    }
  }

  private final ServerWebSocket socket;

  /**
   * The Netty context broadcasts are written through (Vert.x's own handler context for this socket,
   * on this session's event loop); see {@link FrameWriter}.
   */
  private final ChannelHandlerContext channel;

  private final FrameWriter frameWriter;
  private boolean awaitingFlush;
  private final AppConfig app;
  private final String socketId;
  private final ClientEventRateLimiter clientEventLimiter;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private State state = State.OPEN;
  private long lastActivityNanos;
  private long pingSentNanos;
  private final long openedNanos;
  private String signedInUserId;
  private java.util.List<String> watchlist = java.util.List.of();
  private boolean authorized;

  /** Reading from the client is paused until its write queue drains (see {@link #send}). */
  private boolean readingPaused;

  /** The online-users version the watchlist's initial state was read at; -1 before that. */
  private long watchlistSnapshotVersion = -1;

  private final HeraldMetrics.AppMeters meters;

  Session(
      ServerWebSocket socket,
      FrameWriter frameWriter,
      AppConfig app,
      String socketId,
      long nowNanos,
      HeraldMetrics.AppMeters meters) {
    this.socket = socket;
    // Vert.x 4.5's ServerWebSocket implementation exposes its channel context through this
    // (internal) interface; the write path below needs the channel itself.
    this.channel = ((WebSocketInternal) socket).channelHandlerContext();
    this.frameWriter = frameWriter;
    this.meters = meters;
    this.app = app;
    this.socketId = socketId;
    this.lastActivityNanos = nowNanos;
    this.openedNanos = nowNanos;
    this.clientEventLimiter = new ClientEventRateLimiter(app.clientEventRateLimit());
  }

  @Override
  public String socketId() {
    return socketId;
  }

  HeraldMetrics.AppMeters meters() {
    return meters;
  }

  public AppConfig app() {
    return app;
  }

  public State state() {
    return state;
  }

  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** This connection's channels by name; the reverse index used on disconnect. */
  Map<String, Subscription> subscriptions() {
    return subscriptions;
  }

  ClientEventRateLimiter clientEventLimiter() {
    return clientEventLimiter;
  }

  String signedInUserId() {
    return signedInUserId;
  }

  void signIn(String userId, java.util.List<String> watchlist) {
    this.signedInUserId = userId;
    this.watchlist = java.util.List.copyOf(watchlist);
    this.authorized = true;
  }

  /** The user ids this connection watches (after sign-in). */
  java.util.List<String> watchlist() {
    return watchlist;
  }

  long openedNanos() {
    return openedNanos;
  }

  /**
   * Signed in, or subscribed to a private or presence channel: what authorized connections need.
   */
  boolean isAuthorized() {
    return authorized;
  }

  void markAuthorized() {
    authorized = true;
  }

  /** Any frame from the client, data or control, proves it is alive. */
  void touch(long nowNanos) {
    lastActivityNanos = nowNanos;
    pingSentNanos = 0;
  }

  long lastActivityNanos() {
    return lastActivityNanos;
  }

  long pingSentNanos() {
    return pingSentNanos;
  }

  void markPingSent(long nowNanos) {
    pingSentNanos = nowNanos;
  }

  /**
   * Sends a frame built for this connection alone: a reply to one of its own frames (pong,
   * subscription result, error), or a server ping. A client that sends faster than it reads the
   * replies is slowed down first: reading from it pauses while its write queue is full and resumes
   * once the queue drains. Pausing cannot hold back replies that come later than the frames that
   * asked for them: with Redis a subscribe is answered from Redis's callback, so a client that
   * pipelines (re)subscriptions has many read before the first answer is written. A reply due while
   * the reads are paused and the queue is still full therefore closes the client as a slow
   * consumer, as a broadcast would: replies count toward the same bound. Reading stays paused for
   * at most {@link #MAX_PAUSED_SECONDS}: a client that has not read enough by then is closed the
   * same way.
   */
  void send(String json) {
    if (state != State.OPEN) {
      return;
    }
    if (readingPaused && writeQueueFull()) {
      stopReading();
      closeAsSlowConsumer();
      return;
    }
    write(json);
    if (!readingPaused && socket.writeQueueFull()) {
      readingPaused = true;
      socket.pause();
      // Bounded in time as well: a queue that drained below its high-water mark but not to the
      // low-water mark fires no drain, so a client that never reads could otherwise sit paused,
      // neither served nor closed, with replies and pings slipping under the bound.
      ScheduledFuture<?> limit =
          channel
              .executor()
              .schedule(this::closeIfStillPaused, MAX_PAUSED_SECONDS, TimeUnit.SECONDS);
      socket.drainHandler(
          drained -> {
            limit.cancel(false);
            readingPaused = false;
            socket.resume();
          });
    }
  }

  /** How long reading may stay paused for a full write queue before the client is closed. */
  static final long MAX_PAUSED_SECONDS = 10;

  private void closeIfStillPaused() {
    if (state == State.OPEN && readingPaused) {
      stopReading();
      closeAsSlowConsumer();
    }
  }

  /** Writes through Vert.x, past any bound: only {@link #send} and the final error may. */
  private void write(String json) {
    socket.writeTextMessage(json);
    meters.messageSent(Utf8.length(json));
    if (FRAMES.isLoggable(Level.FINE)) {
      FRAMES.fine(socketId + " <- " + json);
    }
  }

  /**
   * Writes a broadcast frame shared with other subscribers. A client that has stopped reading, so
   * that even after a flush its channel holds more than the write-buffer limit, is disconnected
   * rather than left to grow server memory.
   */
  @Override
  public void deliver(OutboundFrame frame) {
    if (state != State.OPEN || !channel.channel().isActive()) {
      return;
    }
    if (writeQueueFull()) {
      closeAsSlowConsumer();
      return;
    }
    frameWriter.write(this, channel, frame);
    meters.messageSent(frame.size());
    if (FRAMES.isLoggable(Level.FINE)) {
      FRAMES.fine(socketId + " <- " + frame);
    }
  }

  /** True if this session was not yet waiting for a flush (the writer then lists it). */
  boolean markAwaitingFlush() {
    if (awaitingFlush) {
      return false;
    }
    awaitingFlush = true;
    return true;
  }

  /** Sends what {@link FrameWriter} has queued on this channel. */
  void flush() {
    if (awaitingFlush) {
      awaitingFlush = false;
      channel.flush();
    }
  }

  /**
   * Closes with 4100 a client whose write queue is full when more must be written to it: a
   * broadcast, a reply ({@link #send}), or the pong Vert.x owes for a WebSocket ping. Counted as
   * {@code SLOW_CONSUMER}.
   */
  void closeAsSlowConsumer() {
    if (state != State.OPEN) {
      return;
    }
    meters.slowConsumerDisconnected();
    LOG.fine(() -> socketId + " closed with 4100: its write queue is full");
    fail(ErrorCode.OVER_CAPACITY, "Client is not reading its messages fast enough");
  }

  /**
   * Stops reading from the socket for good, below Vert.x (which answers pings itself), for a client
   * that is being closed and must not be served further.
   */
  void stopReading() {
    channel.channel().config().setAutoRead(false);
  }

  /**
   * Whether the write queue is over its high-water mark once what {@link FrameWriter} queued has
   * been flushed: frames only waiting for the pass's flush are not a slow client's backlog. Both
   * the channel and Vert.x's own view count (Vert.x also queues the pongs it owes for pings).
   */
  boolean writeQueueFull() {
    if (!socket.writeQueueFull() && channel.channel().isWritable()) {
      return false;
    }
    flush();
    return socket.writeQueueFull() || !channel.channel().isWritable();
  }

  /** Watchlist notices that arrived before the initial state was read, with their versions. */
  private final java.util.List<java.util.Map.Entry<Long, OutboundFrame>> earlyWatchNotices =
      new java.util.ArrayList<>();

  /**
   * The initial watchlist state (read at {@code version}) has been sent: notices that arrived while
   * it was being read follow it, unless the state already included them.
   */
  void watchlistSnapshotTaken(long version) {
    watchlistSnapshotVersion = version;
    for (var notice : earlyWatchNotices) {
      if (notice.getKey() > version) {
        deliver(notice.getValue());
      }
    }
    earlyWatchNotices.clear();
  }

  @Override
  public void deliverMembership(String channel, OutboundFrame frame, long membershipVersion) {
    if (channel.startsWith(SigninHandler.WATCHLIST_CHANNEL_PREFIX)
        && watchlistSnapshotVersion < 0) {
      // The initial state is still being read: hold the notice so it cannot overtake it.
      if (earlyWatchNotices.size() < 1000) {
        earlyWatchNotices.add(java.util.Map.entry(membershipVersion, frame));
      }
      return;
    }
    Subscriber.super.deliverMembership(channel, frame, membershipVersion);
  }

  @Override
  public boolean needsMembership(String channel, long membershipVersion) {
    if (channel.startsWith(SigninHandler.WATCHLIST_CHANNEL_PREFIX)) {
      return membershipVersion > watchlistSnapshotVersion;
    }
    Subscription subscription = subscriptions.get(channel);
    return subscription != null && membershipVersion > subscription.snapshotVersion();
  }

  /**
   * Sends {@code pusher:error} and, for fatal codes, closes with the same code (the error before a
   * close is written past the bound: it is the last frame).
   */
  void fail(ErrorCode code, String message) {
    if (!code.closesConnection()) {
      send(ServerFrames.error(code, message));
      return;
    }
    close(code, message);
  }

  /**
   * Closes with the code; a Pusher error code is told first as {@code pusher:error}, a WebSocket
   * close code ({@link ErrorCode.Kind#CLOSE}) only in the close frame.
   */
  @Override
  public void close(ErrorCode code, String message) {
    if (state != State.OPEN) {
      return;
    }
    if (code.kind() == ErrorCode.Kind.ERROR) {
      write(ServerFrames.error(code, message));
    }
    state = State.CLOSING;
    socket.close(code.code().shortValue(), CloseReason.truncate(message));
  }

  void markClosed() {
    state = State.CLOSING;
  }

  @Override
  public String toString() {
    return "Session[" + socketId + ", app " + app.id() + "]";
  }
}
