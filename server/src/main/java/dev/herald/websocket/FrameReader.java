package dev.herald.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.impl.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads one WebSocket connection's frames (RFC 6455 §5) straight from its Netty channel, the only
 * handler Herald leaves in the pipeline after the upgrade (behind TLS when it is on). It enforces
 * what a client may send before any of it is kept: masked frames only, no reserved bits or opcodes,
 * control frames whole and at most 125 bytes, a frame no larger than the frame limit (judged from
 * its header, without waiting for its payload), and fragments adding up to no more than the message
 * limit. A violation closes the connection with 1002 or 1009.
 *
 * <p>Why not Vert.x's or Netty's WebSocket codec: they keep a frame object, an aggregator, a UTF-8
 * validator and their handler contexts per connection, and the memory a node needs is counted per
 * idle connection. This reader holds two references and a few ints while a connection is idle; a
 * buffer exists only while a frame is partly received.
 *
 * <p>Text is decoded with U+FFFD for invalid UTF-8 (as Vert.x did), so nothing relayed is invalid
 * UTF-8. Complete messages go to {@link Events}; pings, pongs and the closing handshake go to the
 * {@link Session}. Every callback runs inside the loop's Vert.x context, as Vert.x's own handlers
 * did, so the handlers may use Vert.x APIs. Confined to the connection's event loop.
 */
final class FrameReader extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(FrameReader.class.getName());

  /** What the reader hands to the rest of the server, shared by a loop's connections. */
  interface Events {
    /** The loop's Vert.x context, entered around every callback. */
    ContextInternal context();

    /** The largest frame, and the largest message assembled from fragments, in bytes. */
    int maxMessageBytes();

    void text(Session session, String text);

    void binary(Session session);

    /** The TCP connection has closed, for whatever reason. */
    void closed(Session session);
  }

  private final Events events;

  /** Set once, right after the reader joins the pipeline and before any bytes reach it. */
  private Session session;

  /** Bytes of a frame that has not fully arrived; null between frames. */
  private ByteBuf partial;

  /** The unmasked payloads of a fragmented message so far; null outside one. */
  private CompositeByteBuf fragments;

  /** The opcode of the fragmented message being assembled (text or binary), else 0. */
  private int fragmentedOpcode;

  /** After a protocol violation: everything else the client sends is discarded. */
  private boolean discarding;

  FrameReader(Events events) {
    this.events = events;
  }

  void attach(Session session) {
    this.session = session;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      // The upgrade request's end, decoded before the HTTP codec was removed.
      ReferenceCountUtil.release(msg);
      return;
    }
    ByteBuf bytes = (ByteBuf) msg;
    if (discarding) {
      bytes.release();
      return;
    }
    ByteBuf input =
        partial == null
            ? bytes
            : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), partial, bytes);
    partial = null;
    ContextInternal previous = events.context().beginDispatch();
    try {
      while (input.isReadable() && !discarding && readFrame(ctx, input)) {
        // one whole frame handled per pass
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Failed to handle a frame from " + session, e);
      discarding = true;
      ctx.close();
    } finally {
      events.context().endDispatch(previous);
      if (input.isReadable() && !discarding) {
        partial = input;
      } else {
        input.release();
      }
    }
  }

  /**
   * Handles the frame at the reader index if it has fully arrived (true), or leaves the index where
   * it was to wait for more (false). A header that breaks the rules fails the connection at once.
   */
  private boolean readFrame(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int readable = in.readableBytes();
    if (readable < 2) {
      return false;
    }
    int first = in.getUnsignedByte(start);
    int second = in.getUnsignedByte(start + 1);
    boolean fin = (first & 0x80) != 0;
    int opcode = first & 0x0F;
    if ((first & 0x70) != 0) {
      return violation("Reserved bits set without an extension");
    }
    if ((second & 0x80) == 0) {
      return violation("Client frames must be masked");
    }
    boolean control = (opcode & 0x08) != 0;
    if (control) {
      if (opcode != WireFrames.CLOSE && opcode != WireFrames.PING && opcode != WireFrames.PONG) {
        return violation("Reserved opcode " + opcode);
      }
      if (!fin) {
        return violation("Fragmented control frame");
      }
    } else if (opcode > WireFrames.BINARY) {
      return violation("Reserved opcode " + opcode);
    } else if (opcode == 0 && fragmentedOpcode == 0) {
      return violation("Continuation frame without a message to continue");
    } else if (opcode != 0 && fragmentedOpcode != 0) {
      return violation("New message before the fragmented one ended");
    }
    long length = second & 0x7F;
    int headerLength = 2;
    if (length == 126) {
      if (readable < 4) {
        return false;
      }
      length = in.getUnsignedShort(start + 2);
      headerLength = 4;
    } else if (length == 127) {
      if (readable < 10) {
        return false;
      }
      length = in.getLong(start + 2);
      headerLength = 10;
      if (length < 0) {
        return tooBig();
      }
    }
    if (control && length > 125) {
      return violation("Control frame over 125 bytes");
    }
    if (length > events.maxMessageBytes()) {
      return tooBig();
    }
    headerLength += 4;
    if (readable < headerLength + length) {
      return false;
    }
    int mask = in.getInt(start + headerLength - 4);
    int payloadStart = start + headerLength;
    int payloadLength = (int) length;
    unmask(in, payloadStart, payloadLength, mask);
    in.readerIndex(payloadStart + payloadLength);
    session.touch(System.nanoTime());
    if (control) {
      control(opcode, in, payloadStart, payloadLength);
    } else {
      data(ctx, opcode, fin, in, payloadStart, payloadLength);
    }
    return true;
  }

  private void control(int opcode, ByteBuf in, int payloadStart, int payloadLength) {
    if (opcode == WireFrames.PING) {
      session.pong(in, payloadStart, payloadLength);
    } else if (opcode == WireFrames.CLOSE) {
      if (payloadLength == 0) {
        session.closeReceived(-1);
      } else if (payloadLength == 1) {
        violation("Close frame with a one-byte body");
      } else {
        int code = in.getUnsignedShort(payloadStart);
        if (!isValidCloseCode(code)) {
          violation("Invalid close code " + code);
        } else {
          session.closeReceived(code);
        }
      }
    }
    // A pong needs nothing more: touch() above recorded that the client is alive.
  }

  private void data(
      ChannelHandlerContext ctx,
      int opcode,
      boolean fin,
      ByteBuf in,
      int payloadStart,
      int payloadLength) {
    session.meters().bytesReceived(payloadLength);
    if (opcode != 0 && fin) {
      message(opcode, in, payloadStart, payloadLength);
      return;
    }
    if (opcode != 0) {
      fragmentedOpcode = opcode;
      fragments = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    }
    if ((long) fragments.readableBytes() + payloadLength > events.maxMessageBytes()) {
      tooBig();
      return;
    }
    fragments.addComponent(true, in.retainedSlice(payloadStart, payloadLength));
    if (fin) {
      int messageOpcode = fragmentedOpcode;
      CompositeByteBuf message = fragments;
      fragments = null;
      fragmentedOpcode = 0;
      try {
        message(messageOpcode, message, message.readerIndex(), message.readableBytes());
      } finally {
        message.release();
      }
    }
  }

  private void message(int opcode, ByteBuf in, int start, int length) {
    if (!session.isOpen()) {
      return; // after a close was sent, only the client's close matters
    }
    session.meters().messageReceived();
    if (opcode == WireFrames.TEXT) {
      events.text(session, in.toString(start, length, StandardCharsets.UTF_8));
    } else {
      events.binary(session);
    }
  }

  /** XORs the payload with the client's masking key in place (RFC 6455 §5.3). */
  private static void unmask(ByteBuf in, int start, int length, int mask) {
    int end = start + length;
    int i = start;
    for (; i + 4 <= end; i += 4) {
      in.setInt(i, in.getInt(i) ^ mask);
    }
    for (int shift = 24; i < end; i++, shift -= 8) {
      in.setByte(i, in.getByte(i) ^ (mask >>> shift));
    }
  }

  /**
   * Close codes a client may send (RFC 6455 §7.4): the defined ones except those reserved for
   * reporting (1005, 1006, 1015) and 1004, the IANA-registered 1012-1014, and 3000-4999.
   */
  static boolean isValidCloseCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  private boolean violation(String reason) {
    discard();
    session.failProtocol(1002, reason);
    return false;
  }

  private boolean tooBig() {
    discard();
    session.failProtocol(1009, "Message too big");
    return false;
  }

  /** Nothing more from this client is read or kept. */
  private void discard() {
    discarding = true;
    releaseFragments();
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    fragmentedOpcode = 0;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ContextInternal previous = events.context().beginDispatch();
    try {
      session.writabilityChanged();
    } finally {
      events.context().endDispatch(previous);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    discarding = true;
    releaseFragments();
    if (partial != null) {
      partial.release();
      partial = null;
    }
    ContextInternal previous = events.context().beginDispatch();
    try {
      session.channelClosed();
      events.closed(session);
    } finally {
      events.context().endDispatch(previous);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes are how clients leave; the close that follows is handled above.
    LOG.fine(() -> "Socket error on " + session + ": " + cause);
    ctx.close();
  }
}
