package dev.herald.channels;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A server frame encoded once, shared by every subscriber it is written to: the complete WebSocket
 * text frame (RFC 6455 header + UTF-8 payload) as it goes on the wire. Server frames are never
 * masked and permessage-deflate is declined, so the bytes are the same for every connection.
 * Immutable: the array is never modified after construction.
 */
public final class OutboundFrame {
  private final byte[] wire;
  private final int headerLength;

  private OutboundFrame(byte[] payload, int offset, int length) {
    this.headerLength = headerLength(length);
    this.wire = new byte[headerLength + length];
    writeHeader(wire, length);
    System.arraycopy(payload, offset, wire, headerLength, length);
  }

  public static OutboundFrame of(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    return new OutboundFrame(payload, 0, payload.length);
  }

  /**
   * The frame whose payload is {@code length} bytes of {@code source} from {@code offset}: UTF-8
   * JSON text encoded elsewhere (another node), taken as it is, without decoding it.
   */
  public static OutboundFrame ofPayload(byte[] source, int offset, int length) {
    return new OutboundFrame(source, offset, length);
  }

  /** Copies the payload (the JSON text's UTF-8 bytes) into {@code target} at {@code offset}. */
  public void copyPayloadTo(byte[] target, int offset) {
    System.arraycopy(wire, headerLength, target, offset, wire.length - headerLength);
  }

  /** Bytes of the payload (the JSON text), without the frame header. */
  public int size() {
    return wire.length - headerLength;
  }

  /** Bytes of the whole encoded frame, header included. */
  public int wireLength() {
    return wire.length;
  }

  /** Appends the encoded frame to {@code target}. */
  public void writeWireTo(ByteBuf target) {
    target.writeBytes(wire);
  }

  private static int headerLength(int payloadLength) {
    if (payloadLength < 126) {
      return 2;
    }
    return payloadLength <= 0xFFFF ? 4 : 10;
  }

  /** FIN + text opcode, then the 7-bit, 16-bit or 64-bit length (RFC 6455 section 5.2). */
  private static void writeHeader(byte[] target, int payloadLength) {
    target[0] = (byte) 0x81;
    if (payloadLength < 126) {
      target[1] = (byte) payloadLength;
    } else if (payloadLength <= 0xFFFF) {
      target[1] = 126;
      target[2] = (byte) (payloadLength >>> 8);
      target[3] = (byte) payloadLength;
    } else {
      target[1] = 127;
      long length = payloadLength;
      for (int i = 0; i < 8; i++) {
        target[2 + i] = (byte) (length >>> (56 - 8 * i));
      }
    }
  }

  /** Frames are equal when their bytes are. */
  @Override
  public boolean equals(Object other) {
    return other instanceof OutboundFrame frame && Arrays.equals(wire, frame.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  @Override
  public String toString() {
    return new String(wire, headerLength, wire.length - headerLength, StandardCharsets.UTF_8);
  }
}
