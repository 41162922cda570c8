package dev.herald.websocket;

import dev.herald.protocol.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Encodes the frames a server writes for one connection (RFC 6455 §5.2): a text frame from a
 * string, a pong echoing a ping, a close frame. Server frames are never masked and no extension is
 * negotiated, so a frame is its header followed by the payload. Broadcasts are encoded once for
 * every subscriber elsewhere ({@link dev.herald.channels.OutboundFrame}). Stateless.
 */
final class WireFrames {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private WireFrames() {}

  /** A final text frame carrying {@code text} as UTF-8. */
  static ByteBuf text(ByteBufAllocator alloc, String text) {
    int length = ByteBufUtil.utf8Bytes(text);
    ByteBuf frame = alloc.buffer(headerLength(length) + length);
    writeHeader(frame, TEXT, length);
    ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
    return frame;
  }

  /** A pong carrying {@code length} bytes of {@code source} from {@code offset} (at most 125). */
  static ByteBuf pong(ByteBufAllocator alloc, ByteBuf source, int offset, int length) {
    ByteBuf frame = alloc.buffer(2 + length);
    writeHeader(frame, PONG, length);
    frame.writeBytes(source, offset, length);
    return frame;
  }

  /** A close frame with {@code code} and {@code reason} cut to fit a control frame. */
  static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
    String fitted = reason == null ? "" : CloseReason.truncate(reason);
    int reasonLength = ByteBufUtil.utf8Bytes(fitted);
    ByteBuf frame = alloc.buffer(4 + reasonLength);
    writeHeader(frame, CLOSE, 2 + reasonLength);
    frame.writeShort(code);
    ByteBufUtil.reserveAndWriteUtf8(frame, fitted, reasonLength);
    return frame;
  }

  /** A close frame without a status code: the answer to a client's close that carried none. */
  static ByteBuf emptyClose(ByteBufAllocator alloc) {
    ByteBuf frame = alloc.buffer(2);
    writeHeader(frame, CLOSE, 0);
    return frame;
  }

  private static int headerLength(int payloadLength) {
    if (payloadLength < 126) {
      return 2;
    }
    return payloadLength <= 0xFFFF ? 4 : 10;
  }

  /** FIN, the opcode, then the 7-, 16- or 64-bit payload length. */
  private static void writeHeader(ByteBuf frame, int opcode, int payloadLength) {
    frame.writeByte(0x80 | opcode);
    if (payloadLength < 126) {
      frame.writeByte(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(payloadLength);
    } else {
      frame.writeByte(127);
      frame.writeLong(payloadLength);
    }
  }
}
