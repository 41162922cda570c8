package dev.herald.websocket;

import dev.herald.channels.OutboundFrame;
import dev.herald.channels.Subscriber;
import dev.herald.config.AppConfig;
import dev.herald.metrics.HeraldMetrics;
import dev.herald.protocol.ChannelName;
import dev.herald.protocol.ErrorCode;
import dev.herald.protocol.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: its channel, app, subscriptions and liveness, and the WebSocket closing
 * handshake. Frames come in through its {@link FrameReader}; replies, pings and the close frame are
 * written here, broadcasts through the loop's {@link FrameWriter}. Kept small on purpose (one per
 * connection, most of them idle): maps and lists are created when first needed. Confined to the
 * event loop its channel lives on; no method may be called from another thread.
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

  /** The context of this connection's {@link FrameReader}: every frame is written through it. */
  private final ChannelHandlerContext channel;

  private final FrameWriter frameWriter;
  private boolean awaitingFlush;
  private final AppConfig app;
  private final String socketId;
  private ClientEventRateLimiter clientEventLimiter;
  private SessionSubscriptions subscriptions;
  private State state = State.OPEN;
  private long lastActivityNanos;
  private long pingSentNanos;
  private final long openedNanos;
  private String signedInUserId;
  private List<String> watchlist = List.of();
  private boolean authorized;

  /** Reading from the client is paused until its write queue drains (see {@link #send}). */
  private boolean readingPaused;

  /**
   * While reading is paused: the deadline for the queue to drain. While closing: the deadline for
   * the client's close frame. Otherwise null.
   */
  private ScheduledFuture<?> deadline;

  /** The online-users version the watchlist's initial state was read at; -1 before that. */
  private long watchlistSnapshotVersion = -1;

  private final HeraldMetrics.AppMeters meters;

  /** The client's address as {@link ConnectionsPerAddress} counts it, or null. */
  private String clientAddress;

  /** This session's place in its loop's {@link ActivityMonitor}, -1 when not in it. */
  private int monitorSlot = -1;

  /**
   * @param channel the context of the connection's {@link FrameReader}
   */
  Session(
      ChannelHandlerContext channel,
      FrameWriter frameWriter,
      AppConfig app,
      String socketId,
      long nowNanos,
      HeraldMetrics.AppMeters meters) {
    this.channel = channel;
    this.frameWriter = frameWriter;
    this.meters = meters;
    this.app = app;
    this.socketId = socketId;
    this.lastActivityNanos = nowNanos;
    this.openedNanos = nowNanos;
  }

  String clientAddress() {
    return clientAddress;
  }

  void clientAddress(String address) {
    clientAddress = address;
  }

  int monitorSlot() {
    return monitorSlot;
  }

  void monitorSlot(int slot) {
    monitorSlot = slot;
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
  SessionSubscriptions subscriptions() {
    if (subscriptions == null) {
      subscriptions = new SessionSubscriptions();
    }
    return subscriptions;
  }

  ClientEventRateLimiter clientEventLimiter() {
    if (clientEventLimiter == null) {
      clientEventLimiter = new ClientEventRateLimiter(app.clientEventRateLimit());
    }
    return clientEventLimiter;
  }

  String signedInUserId() {
    return signedInUserId;
  }

  void signIn(String userId, List<String> watchlist) {
    this.signedInUserId = userId;
    this.watchlist = List.copyOf(watchlist);
    this.authorized = true;
  }

  /** The user ids this connection watches (after sign-in). */
  List<String> watchlist() {
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
    if (!readingPaused && !channel.channel().isWritable()) {
      readingPaused = true;
      channel.channel().config().setAutoRead(false);
      // Bounded in time as well: a queue that drained below its high-water mark but not to the
      // low-water mark fires no writability change, so a client that never reads could otherwise
      // sit paused, neither served nor closed, with replies and pings slipping under the bound.
      deadline =
          channel
              .executor()
              .schedule(this::closeIfStillPaused, MAX_PAUSED_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** How long reading may stay paused for a full write queue before the client is closed. */
  static final long MAX_PAUSED_SECONDS = 10;

  /** How long a close frame waits for the client's before the TCP connection is closed anyway. */
  static final long CLOSING_TIMEOUT_SECONDS = 10;

  private void closeIfStillPaused() {
    deadline = null;
    if (state == State.OPEN && readingPaused) {
      stopReading();
      closeAsSlowConsumer();
    }
  }

  /** The channel's writability changed: a paused client whose queue drained is read again. */
  void writabilityChanged() {
    if (readingPaused && state == State.OPEN && channel.channel().isWritable()) {
      readingPaused = false;
      cancelDeadline();
      channel.channel().config().setAutoRead(true);
    }
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /** Queues a text frame past any bound (only {@link #send} and the final error may). */
  private void write(String json) {
    channel.write(WireFrames.text(channel.alloc(), json), channel.voidPromise());
    frameWriter.flushLater(this, channel);
    meters.messageSent(Utf8.length(json));
    if (FRAMES.isLoggable(Level.FINE)) {
      FRAMES.fine(socketId + " <- " + json);
    }
  }

  /**
   * Answers a WebSocket ping with a pong carrying the same payload. A client that pings without
   * reading the pongs fills its write queue: the next ping then closes it as a slow consumer (and
   * nothing more is read from it), so pongs cannot pile up without bound.
   */
  void pong(ByteBuf ping, int offset, int length) {
    if (state != State.OPEN) {
      return;
    }
    if (writeQueueFull()) {
      stopReading();
      closeAsSlowConsumer();
      return;
    }
    channel.write(WireFrames.pong(channel.alloc(), ping, offset, length), channel.voidPromise());
    frameWriter.flushLater(this, channel);
  }

  /**
   * The client's close frame ({@code code} -1 when it carried none). Answering a close this
   * connection started ends the closing handshake; otherwise the close is echoed with the same code
   * (RFC 6455 §5.5.1). Either way the server then closes the TCP connection.
   */
  void closeReceived(int code) {
    if (state == State.OPEN) {
      state = State.CLOSING;
      ByteBuf echo =
          code < 0
              ? WireFrames.emptyClose(channel.alloc())
              : WireFrames.close(channel.alloc(), code, null);
      channel.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  /**
   * The client broke the WebSocket protocol ({@code code} 1002) or sent more than the frame or
   * message limit (1009): it gets a close frame with the code, then the TCP connection is closed
   * without waiting for an answer, and nothing more is read from it.
   */
  void failProtocol(int code, String reason) {
    stopReading();
    LOG.fine(() -> socketId + " closed with " + code + ": " + reason);
    if (state == State.OPEN) {
      state = State.CLOSING;
      channel
          .writeAndFlush(WireFrames.close(channel.alloc(), code, reason))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  /** The TCP connection has closed: timers stop and nothing more is written. */
  void channelClosed() {
    state = State.CLOSING;
    cancelDeadline();
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

  /** Stops reading from the socket for good, for a client that must not be served further. */
  void stopReading() {
    readingPaused = false;
    channel.channel().config().setAutoRead(false);
  }

  /**
   * Whether the write queue is over its high-water mark once what {@link FrameWriter} queued has
   * been flushed: frames only waiting for the pass's flush are not a slow client's backlog.
   */
  boolean writeQueueFull() {
    if (channel.channel().isWritable()) {
      return false;
    }
    flush();
    return !channel.channel().isWritable();
  }

  /**
   * Watchlist notices that arrived before the initial state was read, with their versions; null
   * when there are none.
   */
  private List<Map.Entry<Long, OutboundFrame>> earlyWatchNotices;

  /**
   * The initial watchlist state (read at {@code version}) has been sent: notices that arrived while
   * it was being read follow it, unless the state already included them.
   */
  void watchlistSnapshotTaken(long version) {
    watchlistSnapshotVersion = version;
    List<Map.Entry<Long, OutboundFrame>> notices = earlyWatchNotices;
    earlyWatchNotices = null;
    if (notices != null) {
      for (var notice : notices) {
        if (notice.getKey() > version) {
          deliver(notice.getValue());
        }
      }
    }
  }

  @Override
  public void deliverMembership(String channel, OutboundFrame frame, long membershipVersion) {
    if (channel.startsWith(SigninHandler.WATCHLIST_CHANNEL_PREFIX)
        && watchlistSnapshotVersion < 0) {
      // The initial state is still being read: hold the notice so it cannot overtake it.
      if (earlyWatchNotices == null) {
        earlyWatchNotices = new ArrayList<>();
      }
      if (earlyWatchNotices.size() < 1000) {
        earlyWatchNotices.add(Map.entry(membershipVersion, frame));
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
    Subscription subscription = subscriptions == null ? null : subscriptions.get(channel);
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
    channel.write(WireFrames.close(channel.alloc(), code.code(), message), channel.voidPromise());
    channel.flush();
    // The client answers with its own close frame (see closeReceived); one that does not, such as
    // a slow consumer that reads nothing, is cut off after the timeout.
    cancelDeadline();
    deadline =
        channel.executor().schedule(this::closeTimedOut, CLOSING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private void closeTimedOut() {
    deadline = null;
    channel.close();
  }

  void markClosed() {
    state = State.CLOSING;
  }

  @Override
  public String toString() {
    return "Session[" + socketId + ", app " + app.id() + "]";
  }
}
