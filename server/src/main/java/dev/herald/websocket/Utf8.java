package dev.herald.websocket;

/** The UTF-8 length of a string without encoding it, for the byte counters. Stateless. */
final class Utf8 {
  private Utf8() {}

  static int length(String text) {
    int bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        // 2 bytes below U+0800, else 3; a surrogate pair (2 chars) is 4 bytes, 2 per char.
        bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }
}
