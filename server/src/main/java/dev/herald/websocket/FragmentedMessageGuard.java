package dev.herald.websocket;

import io.vertx.core.http.WebSocketFrame;

/**
 * Counts the bytes of a message arriving in fragments (a text or binary frame without FIN, then
 * continuations). Vert.x drops a message that outgrows its limit but keeps the connection open and
 * assembles whatever continuations follow, so a client could stream fragments without end; this
 * guard lets the connection be closed with 1009 instead. One per connection, confined to its loop.
 */
final class FragmentedMessageGuard {
  private final int limit;
  private long bytes;

  /**
   * @param limit the largest message in bytes, as given to Vert.x
   */
  FragmentedMessageGuard(int limit) {
    this.limit = limit;
  }

  /** Counts a data frame; false when the message it belongs to is now over the limit. */
  boolean accept(WebSocketFrame frame) {
    if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
      return true; // control frames are not part of a message
    }
    bytes = (frame.isContinuation() ? bytes : 0) + frame.binaryData().length();
    boolean within = bytes <= limit;
    if (frame.isFinal()) {
      bytes = 0;
    }
    return within;
  }
}
