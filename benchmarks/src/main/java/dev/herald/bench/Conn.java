package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One Pusher protocol 7 client connection on a bare Netty channel: the HTTP upgrade written and
 * read by hand, then RFC 6455 frames decoded straight from the received buffers. It waits for
 * {@code pusher:connection_established}, subscribes (with channel authorisation for private and
 * presence channels), answers {@code pusher:ping}, and hands benchmark events (frames carrying
 * {@code _bt}, the send time) to a {@link Sink} as a parsed number, without making a String. The
 * handler methods run on the channel's event loop; {@link #send} and {@link #close} may be called
 * from any thread.
 */
final class Conn extends ChannelInboundHandlerAdapter {

  /** What a scenario wants to hear about. Called on event-loop threads: keep it cheap. */
  interface Sink {
    /**
     * A frame carrying a benchmark timestamp: {@code sentNanos} is its {@code _bt} value
     * (Long.MIN_VALUE when no number follows), {@code now} is System.nanoTime() on receipt.
     */
    default void onBench(Conn c, long sentNanos, long now) {}

    default void onMember(Conn c, boolean added) {}

    /** A {@code pusher:error} or {@code pusher:subscription_error}. */
    default void onError(Conn c, String raw) {}

    /** The server closed (or the socket failed) while the scenario still wanted it. */
    default void onUnexpectedClose(Conn c) {}
  }

  /** Largest frame or reassembled message accepted (the server's default limit is lower). */
  static final int MAX_MESSAGE = 1 << 20;

  private static final int MAX_HEADER = 16 * 1024;
  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_CLOSE = 0x8;
  private static final int OP_PING = 0x9;
  private static final int OP_PONG = 0xA;
  private static final byte[] BENCH_KEY = "_bt".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MEMBER_EVENT =
      "pusher_internal:member_".getBytes(StandardCharsets.US_ASCII);

  final int index;
  private final Sink sink;
  private final String request;
  private volatile Channel channel;
  private volatile String socketId;
  private volatile boolean closing;

  /** Status and reason of an unexpected close, for the report. */
  volatile String lastClose;

  private final CompletableFuture<Conn> established = new CompletableFuture<>();
  private final ConcurrentHashMap<String, CompletableFuture<Long>> pending =
      new ConcurrentHashMap<>();

  /**
   * The masking key of every frame this client sends. RFC 6455 asks for a fresh unpredictable key
   * per frame to defeat cache poisoning through intermediaries; a benchmark talking to a server it
   * chose needs only what servers check, that the frame is masked, so one random key per
   * connection.
   */
  private final byte[] mask = new byte[4];

  // Event-loop state.
  private boolean upgraded;
  private boolean closeSent;
  private boolean closeReceived;
  private Integer closeCode;
  private String closeReason = "";

  /** Bytes of an incomplete header or frame carried over to the next read; else null. */
  private ByteBuf cumulation;

  /** Fragments of a message whose final frame has not come yet; else null. */
  private ByteBuf message;

  private boolean messageIsText;

  /** Package-private for the tests, which drive the handler on an EmbeddedChannel. */
  Conn(int index, Sink sink, String host, int port, String uri) {
    this.index = index;
    this.sink = sink;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    random.nextBytes(mask);
    byte[] key = new byte[16];
    random.nextBytes(key);
    this.request =
        "GET "
            + uri
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /**
   * Connects through {@code bootstrap} (its remote address set, see {@link Clients}); the future
   * completes with the connection once {@code socket_id} is known.
   */
  static CompletableFuture<Conn> open(Bootstrap bootstrap, Options o, int index, Sink sink) {
    String p = o.str("path");
    String prefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    String uri =
        prefix + "/app/" + o.str("key") + "?protocol=7&client=herald-bench&version=1.0&flash=false";
    Conn c = new Conn(index, sink, o.str("host"), o.integer("port"), uri);
    bootstrap
        .clone()
        .handler(c)
        .connect()
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    c.established.completeExceptionally(f.cause());
                  }
                });
    return c.established;
  }

  /** Completes once {@code socket_id} is known. */
  CompletableFuture<Conn> established() {
    return established;
  }

  String socketId() {
    return socketId;
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), request), ctx.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    ByteBuf buf;
    if (cumulation != null) {
      buf = cumulation.writeBytes(in);
      in.release();
    } else {
      buf = in;
    }
    try {
      if (!upgraded && !readUpgrade(buf)) {
        keep(ctx, buf);
        return;
      }
      // Every complete frame of this read, then keep the incomplete rest (if any) for the next.
      while (upgraded && !closeReceived && buf.isReadable() && readFrame(ctx, buf)) {
        // next frame
      }
      if (closeReceived) {
        buf.skipBytes(buf.readableBytes());
      }
      keep(ctx, buf);
    } catch (RuntimeException e) {
      buf.release();
      cumulation = null;
      fail(ctx, e);
    }
  }

  /** Releases {@code buf} when all read; else keeps its unread bytes as the cumulation. */
  private void keep(ChannelHandlerContext ctx, ByteBuf buf) {
    if (!buf.isReadable()) {
      buf.release();
      cumulation = null;
    } else if (buf == cumulation) {
      buf.discardSomeReadBytes();
    } else {
      // The first incomplete frame of a read: copy it out so the read's buffer can go back.
      cumulation = ctx.alloc().buffer(Math.max(buf.readableBytes(), 1024)).writeBytes(buf);
      buf.release();
    }
  }

  /**
   * The HTTP response to the upgrade request: true once its header has been consumed. Only the
   * status 101 is checked; Sec-WebSocket-Accept is not verified (a benchmark against a server it
   * chose has no intermediary whose cached answer could pose as the server's).
   */
  private boolean readUpgrade(ByteBuf buf) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    for (int i = start; i + 3 < end; i++) {
      if (buf.getByte(i) == '\r'
          && buf.getByte(i + 1) == '\n'
          && buf.getByte(i + 2) == '\r'
          && buf.getByte(i + 3) == '\n') {
        String header = buf.toString(start, i - start, StandardCharsets.ISO_8859_1);
        buf.readerIndex(i + 4);
        int eol = header.indexOf("\r\n");
        String status = eol < 0 ? header : header.substring(0, eol);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[1].equals("101")) {
          throw new IllegalStateException("upgrade refused: " + status);
        }
        upgraded = true;
        return true;
      }
    }
    if (end - start > MAX_HEADER) {
      throw new IllegalStateException("upgrade response header over " + MAX_HEADER + " bytes");
    }
    return false;
  }

  /** Decodes one frame from {@code buf}: false (nothing consumed) when it is not all there yet. */
  private boolean readFrame(ChannelHandlerContext ctx, ByteBuf buf) {
    int start = buf.readerIndex();
    int available = buf.readableBytes();
    if (available < 2) {
      return false;
    }
    int b0 = buf.getUnsignedByte(start);
    int b1 = buf.getUnsignedByte(start + 1);
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    if ((b1 & 0x80) != 0) {
      throw new IllegalStateException("masked frame from the server");
    }
    long length = b1 & 0x7F;
    int header = 2;
    if (length == 126) {
      if (available < 4) {
        return false;
      }
      length = buf.getUnsignedShort(start + 2);
      header = 4;
    } else if (length == 127) {
      if (available < 10) {
        return false;
      }
      length = buf.getLong(start + 2);
      header = 10;
    }
    if (length < 0 || length > MAX_MESSAGE) {
      throw new IllegalStateException("frame of " + length + " bytes");
    }
    int n = (int) length;
    if (available < header + n) {
      return false;
    }
    int p = start + header;
    buf.readerIndex(p + n);
    switch (opcode) {
      case OP_TEXT, OP_BINARY -> {
        if (message != null) {
          throw new IllegalStateException("new message inside a fragmented one");
        }
        if (fin) {
          if (opcode == OP_TEXT) {
            onText(buf, p, n);
          }
        } else {
          messageIsText = opcode == OP_TEXT;
          message = ctx.alloc().buffer(Math.max(n * 2, 256)).writeBytes(buf, p, n);
        }
      }
      case OP_CONTINUATION -> {
        if (message == null) {
          throw new IllegalStateException("continuation without a message");
        }
        if (message.readableBytes() + n > MAX_MESSAGE) {
          throw new IllegalStateException("message over " + MAX_MESSAGE + " bytes");
        }
        message.writeBytes(buf, p, n);
        if (fin) {
          ByteBuf m = message;
          message = null;
          try {
            if (messageIsText) {
              onText(m, m.readerIndex(), m.readableBytes());
            }
          } finally {
            m.release();
          }
        }
      }
      case OP_PING -> writeFrame(ctx.channel(), OP_PONG, ByteBufUtil.getBytes(buf, p, n));
      case OP_PONG -> {
        // Unsolicited or not, nothing to do.
      }
      case OP_CLOSE -> {
        closeReceived = true;
        closeCode = n >= 2 ? buf.getUnsignedShort(p) : null;
        closeReason = n > 2 ? buf.toString(p + 2, n - 2, StandardCharsets.UTF_8) : "";
        // Answer with the same code (or none), then close the TCP connection ourselves.
        byte[] body = n >= 2 ? ByteBufUtil.getBytes(buf, p, 2) : new byte[0];
        if (!closeSent) {
          closeSent = true;
          ctx.writeAndFlush(frame(ctx.channel(), OP_CLOSE, body))
              .addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.close();
        }
      }
      default -> throw new IllegalStateException("opcode " + opcode);
    }
    return true;
  }

  /** A complete text message at {@code [p, p + n)} of {@code b}. */
  private void onText(ByteBuf b, int p, int n) {
    long now = System.nanoTime();
    int bt = Deliveries.indexOf(b, p, p + n, BENCH_KEY);
    if (bt >= 0) {
      sink.onBench(this, Deliveries.numberAt(b, bt + BENCH_KEY.length, p + n), now);
      return;
    }
    // Member events are the presence scenario's hot path: recognised without JSON either.
    int m = Deliveries.indexOf(b, p, p + n, MEMBER_EVENT);
    if (m >= 0 && m + MEMBER_EVENT.length < p + n) {
      byte kind = b.getByte(m + MEMBER_EVENT.length);
      if (kind == 'a' || kind == 'r') {
        sink.onMember(this, kind == 'a');
        return;
      }
    }
    onControl(b.toString(p, n, StandardCharsets.UTF_8));
  }

  /** The rare frames: parsed as JSON. */
  private void onControl(String s) {
    JsonObject j;
    try {
      j = new JsonObject(s);
    } catch (RuntimeException e) {
      sink.onError(this, s);
      return;
    }
    String event = j.getString("event", "");
    switch (event) {
      case "pusher:connection_established" -> {
        Object data = j.getValue("data");
        JsonObject d = data instanceof JsonObject jo ? jo : new JsonObject(String.valueOf(data));
        socketId = d.getString("socket_id");
        established.complete(this);
      }
      case "pusher_internal:subscription_succeeded" -> {
        CompletableFuture<Long> f = pending.remove(j.getString("channel", ""));
        if (f != null) {
          f.complete(System.nanoTime());
        }
      }
      case "pusher:subscription_error" -> {
        sink.onError(this, s);
        CompletableFuture<Long> f = pending.remove(j.getString("channel", ""));
        if (f != null) {
          f.completeExceptionally(new IllegalStateException(s));
        }
      }
      case "pusher:error" -> {
        sink.onError(this, s);
        if (!established.isDone()) {
          established.completeExceptionally(new IllegalStateException(s));
        }
      }
      case "pusher:ping" -> send("{\"event\":\"pusher:pong\",\"data\":{}}");
      default -> {
        // Other frames (pong, cache_miss, ...) do not matter to the scenarios.
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause);
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (closeCode == null && closeReason.isEmpty()) {
      closeReason = String.valueOf(cause);
    }
    established.completeExceptionally(cause);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    if (message != null) {
      message.release();
      message = null;
    }
    IllegalStateException closed = new IllegalStateException("connection closed");
    established.completeExceptionally(closed);
    pending.values().forEach(f -> f.completeExceptionally(closed));
    if (!closing) {
      lastClose = "close " + closeCode + " " + closeReason;
      sink.onUnexpectedClose(this);
    }
  }

  // ---------------------------------------------------------------- outbound

  /** Sends a text frame; from any thread (Netty queues the write to the channel's loop). */
  void send(String text) {
    Channel c = channel;
    if (c != null && c.isActive()) {
      writeFrame(c, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private void writeFrame(Channel c, int opcode, byte[] payload) {
    c.writeAndFlush(frame(c, opcode, payload), c.voidPromise());
  }

  /** A final, masked client frame; {@code payload} is masked in place. */
  private ByteBuf frame(Channel c, int opcode, byte[] payload) {
    int n = payload.length;
    ByteBuf f = c.alloc().buffer(n + 14);
    f.writeByte(0x80 | opcode);
    if (n < 126) {
      f.writeByte(0x80 | n);
    } else if (n < 65536) {
      f.writeByte(0x80 | 126).writeShort(n);
    } else {
      f.writeByte(0x80 | 127).writeLong(n);
    }
    f.writeBytes(mask);
    byte m0 = mask[0];
    byte m1 = mask[1];
    byte m2 = mask[2];
    byte m3 = mask[3];
    int i = 0;
    for (; i + 3 < n; i += 4) {
      payload[i] ^= m0;
      payload[i + 1] ^= m1;
      payload[i + 2] ^= m2;
      payload[i + 3] ^= m3;
    }
    for (; i < n; i++) {
      payload[i] ^= mask[i & 3];
    }
    return f.writeBytes(payload);
  }

  /** Subscribes; the future holds System.nanoTime() of {@code subscription_succeeded}. */
  CompletableFuture<Long> subscribe(String channel, String auth, String channelData) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    pending.put(channel, f);
    JsonObject data = new JsonObject().put("channel", channel);
    if (auth != null) {
      data.put("auth", auth);
    }
    if (channelData != null) {
      data.put("channel_data", channelData);
    }
    send(new JsonObject().put("event", "pusher:subscribe").put("data", data).encode());
    return f;
  }

  void unsubscribe(String channel) {
    send(
        new JsonObject()
            .put("event", "pusher:unsubscribe")
            .put("data", new JsonObject().put("channel", channel))
            .encode());
  }

  /**
   * Starts the closing handshake (status 1000); the server's close frame ends the connection, or
   * after a second the socket is closed regardless.
   */
  void close() {
    closing = true;
    Channel c = channel;
    if (c == null) {
      return;
    }
    c.eventLoop()
        .execute(
            () -> {
              if (!c.isActive() || closeSent) {
                c.close();
                return;
              }
              closeSent = true;
              writeFrame(c, OP_CLOSE, new byte[] {0x03, (byte) 0xE8});
              c.eventLoop().schedule(() -> c.close(), 1, TimeUnit.SECONDS);
            });
  }
}
