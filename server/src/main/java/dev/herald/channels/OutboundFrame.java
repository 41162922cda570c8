package dev.herald.channels;

import io.netty.buffer.Unpooled;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.nio.charset.StandardCharsets;

/**
 * A server frame encoded to UTF-8 once, shared by every subscriber it is written to. Immutable: the
 * byte array is never modified after construction.
 */
public final class OutboundFrame {
  private final byte[] utf8;

  private OutboundFrame(byte[] utf8) {
    this.utf8 = utf8;
  }

  public static OutboundFrame of(String json) {
    return new OutboundFrame(json.getBytes(StandardCharsets.UTF_8));
  }

  public int size() {
    return utf8.length;
  }

  /**
   * A WebSocket text frame over the shared bytes. Each write needs its own frame object (Netty
   * releases it after writing), but none copies the payload.
   */
  public WebSocketFrame toWebSocketFrame() {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(utf8), true);
  }

  @Override
  public String toString() {
    return new String(utf8, StandardCharsets.UTF_8);
  }
}
