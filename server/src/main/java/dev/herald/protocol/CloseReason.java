package dev.herald.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The one place that fits a close reason in a WebSocket close frame: RFC 6455 §5.5 allows a control
 * frame 125 bytes of payload, two of which carry the code, so a reason gets at most 123 bytes of
 * UTF-8. Cut on a character boundary, never inside a character. Pure.
 */
public final class CloseReason {
  public static final int MAX_BYTES = 123;

  private CloseReason() {}

  /** The longest prefix of {@code reason} whose UTF-8 encoding fits in {@link #MAX_BYTES}. */
  public static String truncate(String reason) {
    if (reason == null) {
      return null;
    }
    // Every char takes at least one byte: a reason of at most 123 chars that is ASCII fits as is.
    if (reason.length() <= MAX_BYTES
        && reason.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
      return reason;
    }
    int bytes = 0;
    int end = 0;
    while (end < reason.length()) {
      int codePoint = reason.codePointAt(end);
      int size = utf8Length(codePoint);
      if (bytes + size > MAX_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(codePoint);
    }
    return reason.substring(0, end);
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    // A lone surrogate is encoded by Java as one '?' byte, but counting three is on the safe side.
    return codePoint < 0x10000 ? 3 : 4;
  }
}
